"""Global limits: a pure ASGI middleware, and ``install_rate_limit``."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
            response = error_response(scope, 429, too_many(decision), headers=decision.headers())
            await response(scope, receive, send)
            return
        if not self.limiter.settings.headers:
            await self.app(scope, receive, send)
            return
        extra = decision.headers()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "ratelimit-limit" not in headers:
                    headers.update(extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_rate_limit(app: Any, settings: RateLimitSettings | None = None) -> RateLimiter:
    """Keep a :class:`RateLimiter` on ``app.state`` for :class:`RateLimit` dependencies,
    and add :class:`RateLimitMiddleware` when ``default_limits`` are configured."""
    limiter = RateLimiter(settings or RateLimitSettings())
    setattr(app.state, STATE_KEY, limiter)
    if limiter.settings.default_limits:
        app.add_middleware(RateLimitMiddleware, limiter=limiter)
    return limiter
