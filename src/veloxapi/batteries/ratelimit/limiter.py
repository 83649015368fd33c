"""The rate limiter and the per-route / per-router dependency ``RateLimit``.

``RateLimiter`` holds the configured store and key settings; ``install_rate_limit``
keeps one on ``app.state``. ``RateLimit("10/minute")`` is a callable dependency:
``Depends(RateLimit(...))`` in a route's or a router's ``dependencies`` counts
the request and raises a 429 when it is over the limit.
"""

# No `from __future__ import annotations`: the dependency signatures below are
# read at run time, and string annotations on a callable instance cannot be resolved.
import inspect
import logging
from collections.abc import Sequence
from typing import Any, Literal

import anyio
from starlette.requests import HTTPConnection
from starlette.responses import Response

from veloxapi._engine.route.router_index import served_route
from veloxapi.batteries._stores import Backoff, StoreRef, ThrottledWarning
from veloxapi.batteries.ratelimit import keys
from veloxapi.batteries.ratelimit.rates import Algorithm, Decision, Rate
from veloxapi.batteries.ratelimit.redis_store import RedisRateLimitStore
from veloxapi.batteries.ratelimit.settings import RateLimitSettings
from veloxapi.batteries.ratelimit.stores import MemoryRateLimitStore, RateLimitStore
from veloxapi.batteries.settings import ConfigurationError
from veloxapi.exceptions import HTTPException

logger = logging.getLogger("veloxapi.ratelimit")

STATE_KEY = "veloxapi_ratelimit"
KeySpec = Literal["ip", "api_key", "subject"] | keys.KeyFunc


class StoreUnavailable(Exception):
    """The store failed and the limiter is configured to fail closed."""


class RateLimiter:
    """Counts requests in a store, keyed as the settings say."""

    def __init__(self, settings: RateLimitSettings, store: RateLimitStore | None = None) -> None:
        self.settings = settings
        self.store = store or _store_for(settings)
        self.trusted = keys.parse_networks(settings.trusted_proxies)
        self._outage = ThrottledWarning(logger)
        self._backoff = Backoff(settings.failure_backoff)
        self._timeout = settings.redis_timeout if settings.backend == "redis" else None
        self.memory = self.store if type(self.store) is MemoryRateLimitStore else None
        """The store when it is the in-memory one (not a subclass): :meth:`count_now`
        can then count without awaiting anything."""

    def stores(self) -> list[StoreRef]:
        """The server store the counters live in (none for the memory backend)."""
        if self.settings.backend != "redis":
            return []
        return [StoreRef("redis", self.settings.store_url(), "rate_limit")]

    def key_of(self, key: KeySpec | None) -> KeySpec:
        """The key a policy counts by: its own, or the configured default."""
        return key if key is not None else self.settings.key

    async def identity(
        self, conn: HTTPConnection, key: KeySpec | None, principals: Sequence[Any] = ()
    ) -> str:
        """Who ``conn`` counts against; the client address when the key yields nothing.

        ``principals`` are the results of the route's security dependencies (a
        validated token, a user), searched for the subject before ``request.state``.
        """
        spec = self.key_of(key)
        found: str | None
        if spec == "api_key":
            found = keys.api_key(conn, self.settings.api_key_header)
        elif spec == "subject":
            found = keys.principal_subject(principals) or keys.token_subject(conn)
        elif callable(spec):
            result = spec(conn)
            found = await result if inspect.isawaitable(result) else result
        else:
            found = None
        return found or "ip:" + keys.client_address(conn, self.trusted)

    async def check(
        self,
        bucket: str,
        identity: str,
        rates: Sequence[Rate],
        algorithm: Algorithm | None = None,
    ) -> Decision | None:
        """Count one request against every rate; the tightest decision, or ``None``
        when the store is down and the limiter fails open."""
        if self._backoff.active:
            self._unavailable(None)
            return None
        try:
            if self._timeout is None:  # PERF: benchmarks "batteries" column: memory store
                decisions = await self._count(bucket, identity, rates, algorithm)
            else:
                with anyio.fail_after(self._timeout):
                    decisions = await self._count(bucket, identity, rates, algorithm)
        except Exception as exc:
            self._backoff.failed()
            self._unavailable(exc)
            return None
        self._backoff.succeeded()
        return _tightest(decisions)

    def count_now(
        self,
        prefixes: Sequence[str],
        identity: str,
        rates: Sequence[Rate],
        algorithm: Algorithm | None = None,
    ) -> Decision | None:
        """:meth:`check` for the in-memory store (:attr:`memory`), synchronously; the
        store keys are ``prefixes`` (:func:`store_key_prefixes`, made once) + identity.

        PERF: benchmarks "batteries" column: the default limits of every request
        count here without three coroutines.
        """
        memory = self.memory
        assert memory is not None
        backoff = self._backoff
        if backoff.until and backoff.active:
            self._unavailable(None)
            return None
        chosen = algorithm or self.settings.algorithm
        try:
            if len(rates) == 1:
                decision = memory.count(prefixes[0] + identity, rates[0], chosen)
            else:
                counted = zip(prefixes, rates, strict=True)
                decision = _tightest([memory.count(p + identity, r, chosen) for p, r in counted])
        except Exception as exc:
            backoff.failed()
            self._unavailable(exc)
            return None
        if backoff.until:
            backoff.succeeded()
        return decision

    async def _count(
        self, bucket: str, identity: str, rates: Sequence[Rate], algorithm: Algorithm | None
    ) -> list[Decision]:
        chosen = algorithm or self.settings.algorithm
        decisions = []
        for prefix, rate in zip(store_key_prefixes(bucket, rates), rates, strict=True):
            decisions.append(await self.store.hit(prefix + identity, rate, chosen))
        return decisions

    def _unavailable(self, exc: Exception | None) -> None:
        """The outage behaviour: warn and let through (open), or raise StoreUnavailable."""
        reason = "skipped after a recent failure" if exc is None else f"{type(exc).__name__}"
        if self.settings.on_store_error == "closed":
            self._outage.warn("rate-limit store unavailable (%s); refusing requests", reason)
            raise StoreUnavailable from exc
        self._outage.warn("rate-limit store unavailable (%s); letting requests through", reason)

    def headers(self, decision: Decision) -> dict[str, str]:
        """The response headers for ``decision``, in the configured naming schemes."""
        return decision.headers(legacy=self.settings.legacy_headers)

    async def aclose(self) -> None:
        await self.store.aclose()


def store_key_prefixes(bucket: str, rates: Sequence[Rate]) -> tuple[str, ...]:
    """The store key of each rate of ``bucket``, but for the identity appended to it."""
    return tuple(f"{bucket}|{rate.limit}/{rate.period}|" for rate in rates)


def _store_for(settings: RateLimitSettings) -> RateLimitStore:
    if settings.backend == "redis":
        return RedisRateLimitStore(
            settings.store_url(), prefix=settings.key_prefix, timeout=settings.redis_timeout
        )
    return MemoryRateLimitStore()


def _tightest(decisions: Sequence[Decision]) -> Decision:
    if len(decisions) == 1:  # PERF: benchmarks "batteries" column: one rate is the usual case
        return decisions[0]
    denied = [d for d in decisions if not d.allowed]
    if denied:
        return max(denied, key=lambda d: d.retry_after)
    return min(decisions, key=lambda d: (d.remaining, -d.reset))


_default_limiter: RateLimiter | None = None


def limiter_for(app: Any) -> RateLimiter:
    """The limiter installed on ``app``, or a process-wide in-memory default."""
    global _default_limiter
    found = getattr(getattr(app, "state", None), STATE_KEY, None)
    if isinstance(found, RateLimiter):
        return found
    if _default_limiter is None:
        _default_limiter = RateLimiter(RateLimitSettings(), MemoryRateLimitStore())
    return _default_limiter


def parse_rates(owner: str, texts: Sequence[str]) -> tuple[Rate, ...]:
    """Parse rates at registration time; ConfigurationError naming each bad one."""
    if not texts:
        raise ConfigurationError([f"{owner}: give at least one rate, e.g. RateLimit('10/minute')"])
    problems, rates = [], []
    for text in texts:
        try:
            rates.append(Rate.parse(text))
        except ValueError as exc:
            problems.append(f"{owner}: {exc}")
    if problems:
        raise ConfigurationError(problems)
    return tuple(rates)


def too_many(decision: Decision) -> str:
    return f"Rate limit exceeded: {decision.limit} requests; retry later"


class RateLimit:
    """A dependency limiting the routes it is attached to.

    ``name`` shares one counter between every route using this policy (put it
    on a router for a router-wide budget); without it each route (method and
    path template) counts separately. ``key`` is ``"ip"``, ``"api_key"``,
    ``"subject"`` or a function of the connection; the default comes from the
    settings.
    """

    def __init__(
        self,
        *rates: str,
        key: KeySpec | None = None,
        name: str | None = None,
        algorithm: Algorithm | str | None = None,
    ) -> None:
        self.rates = parse_rates(f"RateLimit{rates!r}", rates)
        if key is not None and not callable(key) and key not in ("ip", "api_key", "subject"):
            raise ConfigurationError(
                [f"RateLimit(key={key!r}): use 'ip', 'api_key', 'subject' or a function"]
            )
        self.key = key
        self.name = name
        self.algorithm = _algorithm(algorithm)

    @property
    def after_security(self) -> bool:
        """Counted after the route's security dependencies: keyed by the authenticated
        user (``"subject"``) or by a function that may read it."""
        return self.key == "subject" or callable(self.key)

    async def __call__(self, request: HTTPConnection, response: Response) -> None:
        """As a plain dependency (an app without compiled battery steps)."""
        limiter = limiter_for(request.scope.get("app"))
        identity = await limiter.identity(request, self.key)
        await self.enforce(limiter, self._bucket(request), identity, response)

    async def enforce(
        self, limiter: RateLimiter, bucket: str, identity: str, response: Response
    ) -> None:
        """Count the request; raise 429 (or 503 when failing closed) when refused,
        else put the ``RateLimit-*`` headers on ``response``."""
        try:
            decision = await limiter.check(bucket, identity, self.rates, self.algorithm)
        except StoreUnavailable:
            raise HTTPException(
                503, "Rate limiting is unavailable", headers={"Retry-After": "1"}
            ) from None
        if decision is None:
            return
        if not decision.allowed:
            raise HTTPException(429, too_many(decision), headers=limiter.headers(decision))
        if limiter.settings.headers:
            response.headers.update(limiter.headers(decision))

    def _bucket(self, conn: HTTPConnection) -> str:
        route = served_route(conn.scope)
        return self.bucket(conn, getattr(route, "path", None) or conn.url.path)

    def bucket(self, conn: HTTPConnection, template: str) -> str:
        """The counter: the policy's name, else the route's method and path template."""
        if self.name:
            return "name:" + self.name
        method = conn.scope.get("method", "WEBSOCKET")  # a WebSocket handshake has none
        return f"route:{method} {template}"


def _algorithm(value: Algorithm | str | None) -> Algorithm | None:
    if value is None or isinstance(value, Algorithm):
        return value
    try:
        return Algorithm(value)
    except ValueError:
        choices = ", ".join(a.value for a in Algorithm)
        raise ConfigurationError(
            [f"RateLimit(algorithm={value!r}) is not an algorithm; use one of {choices}"]
        ) from None
