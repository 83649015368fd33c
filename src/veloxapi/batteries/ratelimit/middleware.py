"""Global limits as a pure ASGI middleware, for Starlette apps without the outer layer."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi.batteries._asgi import HeaderList, SendWatcher, add_missing, header_value
from veloxapi.batteries.errors import error_response
from veloxapi.batteries.ratelimit.limiter import (
    RateLimiter,
    StoreUnavailable,
    parse_rates,
    too_many,
)

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
