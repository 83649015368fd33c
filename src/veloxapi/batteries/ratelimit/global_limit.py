"""Default limits keyed by address or API key, as the batteries' outer layer runs them.

:func:`~veloxapi.batteries.ratelimit.plan.install_rate_limit` prepares a
:class:`GlobalLimit` and hands it to the outer layer
(:mod:`veloxapi.batteries.layer`), which calls :meth:`GlobalLimit.refuse` for every
request before routing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope

from veloxapi.batteries.errors import error_response
from veloxapi.batteries.ratelimit.limiter import (
    RateLimiter,
    StoreUnavailable,
    parse_rates,
    store_key_prefixes,
    too_many,
)
from veloxapi.batteries.ratelimit.middleware import GLOBAL_BUCKET

if TYPE_CHECKING:
    from veloxapi.batteries.layer import LayerSend


class GlobalLimit:
    """Default limits keyed by address or API key, counted before routing."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        settings = limiter.settings
        self.rates = parse_rates("VELOX_RATELIMIT_DEFAULT_LIMITS", settings.default_limits)
        self.exempt = tuple(settings.exempt_paths)
        self.by_peer = settings.key == "ip" and not limiter.trusted
        self.headers = settings.headers
        self.legacy = settings.legacy_headers
        self.prefixes = store_key_prefixes(GLOBAL_BUCKET, self.rates)

    async def refuse(self, scope: Scope, receive: Receive, sent: LayerSend) -> bool:
        """Count the request; answer 429 (or 503 failing closed) and return ``True`` when
        it is refused, else leave the ``RateLimit-*`` headers for the response."""
        if self.exempt and scope["path"].startswith(self.exempt):
            return False
        limiter = self.limiter
        if self.by_peer:
            client = scope.get("client")
            identity = "ip:" + (client[0] if client else "unknown")
        else:
            identity = await limiter.identity(HTTPConnection(scope), None)
        try:
            if limiter.memory is not None:
                decision = limiter.count_now(self.prefixes, identity, self.rates)
            else:
                decision = await limiter.check(GLOBAL_BUCKET, identity, self.rates)
        except StoreUnavailable:
            headers = {"Retry-After": "1"}
            response = error_response(scope, 503, "Rate limiting is unavailable", headers=headers)
            await response(scope, receive, sent)
            return True
        if decision is None:
            return False
        if not decision.allowed:
            denied = limiter.headers(decision)
            response = error_response(scope, 429, too_many(decision), headers=denied)
            await response(scope, receive, sent)
            return True
        if self.headers:
            sent.limit_headers = decision.header_list(legacy=self.legacy)
        return False
