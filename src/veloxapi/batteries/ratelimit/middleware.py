"""Global limits: a pure ASGI middleware, and ``install_rate_limit``."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi.batteries._asgi import HeaderList, SendWatcher, add_missing, header_value
from veloxapi.batteries.documentation import document_batteries
from veloxapi.batteries.errors import error_response
from veloxapi.batteries.ratelimit.limiter import (
    STATE_KEY,
    RateLimiter,
    StoreUnavailable,
    parse_rates,
    too_many,
)
from veloxapi.batteries.ratelimit.settings import RateLimitSettings

GLOBAL_BUCKET = "global"


class RateLimitMiddleware:
    """Applies ``settings.default_limits`` to every HTTP request not under an exempt path.

    Route and router policies (:class:`RateLimit`) apply on top; when both set
    ``RateLimit-*`` headers, the route's (more specific) headers are kept.
    """

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter
        self.rates = parse_rates("VELOX_RATELIMIT_DEFAULT_LIMITS", limiter.settings.default_limits)
        self.exempt = tuple(limiter.settings.exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.exempt and scope["path"].startswith(self.exempt)):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        identity = await self.limiter.identity(conn, None)
        try:
            decision = await self.limiter.check(GLOBAL_BUCKET, identity, self.rates)
        except StoreUnavailable:
            response = error_response(
                scope, 503, "Rate limiting is unavailable", headers={"Retry-After": "1"}
            )
            await response(scope, receive, send)
            return
        if decision is None:
            await self.app(scope, receive, send)
            return
        if not decision.allowed:
            response = error_response(
                scope, 429, too_many(decision), headers=self.limiter.headers(decision)
            )
            await response(scope, receive, send)
            return
        if not self.limiter.settings.headers:
            await self.app(scope, receive, send)
            return
        extra = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in self.limiter.headers(decision).items()
        ]

        def add_headers(headers: HeaderList) -> None:
            if header_value(headers, b"ratelimit-limit") is None:
                add_missing(headers, extra)

        await self.app(scope, receive, SendWatcher(send, add_headers))


def install_rate_limit(app: Any, settings: RateLimitSettings | None = None) -> RateLimiter:
    """Keep a :class:`RateLimiter` on ``app.state`` and apply the limits.

    On a VeloxAPI app, route and router ``RateLimit`` policies (and user-keyed
    default limits) are compiled into the route plans (:mod:`.plan`); default
    limits keyed by address or API key are applied before routing, by the
    batteries' outer layer. On another Starlette app, the policies run as
    dependencies and :class:`RateLimitMiddleware` applies the default limits.
    """
    from veloxapi.batteries.layer import outer_layer
    from veloxapi.batteries.ratelimit.plan import RateLimitContributor

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
        outer_layer(app).global_limit = limiter
    return limiter
