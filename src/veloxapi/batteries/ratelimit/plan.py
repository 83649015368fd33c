"""Rate limits compiled into route plans, placed by what they count.

A ``RateLimit`` on a route or router is a marker: the route's plan gets a step
in its place, and where that step runs depends on its key:

* keyed by client address or API key (``"ip"``, ``"api_key"``): before every
  dependency of the route, so before its security dependencies -- invalid
  credentials cannot be tried without limit, and a flood is refused before
  any token is verified;
* keyed by the authenticated user (``"subject"``) or a key function (which may
  read the user): right after the route's security dependencies, given their
  results, so the limit counts the user the token proved.

Default limits (``VELOX_RATELIMIT_DEFAULT_LIMITS``) keyed by user are compiled
into every route the same way; keyed by address or API key they are applied by
the batteries' outer layer, before routing, to every request.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response

from veloxapi._engine.compile.contributions import BatteryStep, Contribution, RouteInfo
from veloxapi.batteries.documentation import document_batteries
from veloxapi.batteries.layer import outer_layer
from veloxapi.batteries.ratelimit.global_limit import GlobalLimit
from veloxapi.batteries.ratelimit.limiter import STATE_KEY, RateLimit, RateLimiter, parse_rates
from veloxapi.batteries.ratelimit.middleware import GLOBAL_BUCKET, RateLimitMiddleware
from veloxapi.batteries.ratelimit.settings import RateLimitSettings


class LimitStep:
    """One limit of one route: identity, counter, decision."""

    __slots__ = ("__name__", "limiter", "policy", "template")

    def __init__(self, limiter: RateLimiter, policy: RateLimit, template: str) -> None:
        self.limiter, self.policy, self.template = limiter, policy, template
        self.__name__ = "rate_limit"

    async def __call__(
        self, conn: HTTPConnection, response: Response, principals: tuple[Any, ...]
    ) -> None:
        identity = await self.limiter.identity(conn, self.policy.key, principals)
        bucket = self.policy.bucket(conn, self.template)
        await self.policy.enforce(self.limiter, bucket, identity, response)


class _DefaultLimit(RateLimit):
    """The configured default limits as a policy, counted under one global bucket."""

    def __init__(self, limiter: RateLimiter) -> None:
        settings = limiter.settings
        self.rates = parse_rates("VELOX_RATELIMIT_DEFAULT_LIMITS", settings.default_limits)
        self.key = settings.key
        self.name = None
        self.algorithm = None
        self.exempt = tuple(settings.exempt_paths)

    def bucket(self, conn: HTTPConnection, template: str) -> str:
        return GLOBAL_BUCKET


class _DefaultLimitStep(LimitStep):
    """A user-keyed default limit: skipped under the exempt paths."""

    __slots__ = ("exempt",)

    def __init__(self, limiter: RateLimiter, policy: _DefaultLimit, template: str) -> None:
        super().__init__(limiter, policy, template)
        self.exempt = policy.exempt

    async def __call__(
        self, conn: HTTPConnection, response: Response, principals: tuple[Any, ...]
    ) -> None:
        if not (self.exempt and conn.scope["path"].startswith(self.exempt)):
            await super().__call__(conn, response, principals)


class RateLimitContributor:
    """Compiles a route's ``RateLimit`` markers (and user-keyed default limits) into its plan."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        by_user = limiter.settings.default_limits and limiter.settings.key == "subject"
        self.default = _DefaultLimit(limiter) if by_user else None

    def contribute(self, route: RouteInfo) -> Contribution | None:
        markers = [call for call in route.calls if isinstance(call, RateLimit)]
        first: list[BatteryStep] = []
        after: list[BatteryStep] = []
        if self.default is not None and not route.websocket:
            after.append(_DefaultLimitStep(self.limiter, self.default, route.path))
        for policy in markers:
            step = LimitStep(self.limiter, policy, route.path)
            by_user = policy.key is None and self.limiter.key_of(None) == "subject"
            if policy.after_security or by_user:
                after.append(step)
            else:
                first.append(step)
        if not (first or after):
            return None
        return Contribution(
            first=tuple(first), after_security=tuple(after), consumes=frozenset(markers)
        )


def install_rate_limit(app: Any, settings: RateLimitSettings | None = None) -> RateLimiter:
    """Keep a :class:`RateLimiter` on ``app.state`` and apply the limits.

    On a VeloxAPI app, route and router ``RateLimit`` policies (and user-keyed
    default limits) are compiled into the route plans
    (:mod:`veloxapi.batteries.ratelimit.plan`); default limits keyed by address or
    API key are applied before routing, by the
    batteries' outer layer. On another Starlette app, the policies run as
    dependencies and :class:`RateLimitMiddleware` applies the default limits.
    """
    limiter = RateLimiter(settings or RateLimitSettings())
    setattr(app.state, STATE_KEY, limiter)
    document_batteries(app)
    contributors = getattr(app, "plan_contributors", None)
    if contributors is None:
        if limiter.settings.default_limits:
            app.add_middleware(RateLimitMiddleware, limiter=limiter)
        return limiter
    contributors.append(RateLimitContributor(limiter))
    if limiter.settings.default_limits and limiter.settings.key != "subject":
        outer_layer(app).global_limit = GlobalLimit(limiter)
    return limiter
