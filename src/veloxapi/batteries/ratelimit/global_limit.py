"""Default limits keyed by address or API key, as the batteries' outer layer runs them.

:func:`~veloxapi.batteries.ratelimit.plan.install_rate_limit` prepares a
:class:`GlobalLimit` and hands it to the outer layer
(:mod:`veloxapi.batteries.layer`), which asks :meth:`GlobalLimit.refusal` (or
:meth:`GlobalLimit.refusal_now`) for every request before routing.
"""

from __future__ import annotations

import math
from time import time
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import Scope

from veloxapi.batteries.errors import error_response
from veloxapi.batteries.ratelimit.limiter import (
    RateLimiter,
    StoreUnavailable,
    parse_rates,
    store_key_prefixes,
    too_many,
)
from veloxapi.batteries.ratelimit.middleware import GLOBAL_BUCKET
from veloxapi.batteries.ratelimit.rates import Algorithm, Decision
from veloxapi.batteries.ratelimit.stores import FixedWindows, window_decision

if TYPE_CHECKING:
    from veloxapi.batteries.layer import LayerSend

_PEER = "ip:"
"""Before a client's address in its key."""


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
        self.immediate = self.by_peer and limiter.memory is not None
        """Counted without waiting: :meth:`refusal_now` answers."""
        self.windows: FixedWindows | None = None
        """The one rate's counts when they are fixed windows in memory: counted directly."""
        if self.immediate and len(self.rates) == 1 and settings.algorithm is Algorithm.FIXED_WINDOW:
            assert limiter.memory is not None
            self.windows = limiter.memory.fixed_windows(self.rates[0])
        self._quick_headers = self.headers and not self.legacy
        self._limit_header = (b"ratelimit-limit", b"%d" % self.rates[0].limit)
        self._peer_prefix = self.prefixes[0] + _PEER
        """A client's key in :attr:`windows` without its address."""
        self._reset: tuple[float, float, tuple[bytes, bytes]] = (0.0, 0.0, (b"", b""))
        """The second (its start and end) the ``RateLimit-Reset`` header made last holds for."""

    async def refusal(self, scope: Scope, sent: LayerSend) -> Response | None:
        """Count the request: the 429 (or, failing closed, 503) response when it is
        refused, else ``None``, with the ``RateLimit-*`` headers left for the response."""
        if self.exempt and scope["path"].startswith(self.exempt):
            return None
        limiter = self.limiter
        if self.by_peer:
            identity = _peer(scope)
        else:
            identity = await limiter.identity(HTTPConnection(scope), None)
        try:
            if limiter.memory is not None:
                decision = limiter.count_now(self.prefixes, identity, self.rates)
            else:
                decision = await limiter.check(GLOBAL_BUCKET, identity, self.rates)
        except StoreUnavailable:
            return _unavailable(scope)
        return self._answer(scope, sent, decision)

    def refusal_now(self, scope: Scope, sent: LayerSend) -> Response | None:
        """:meth:`refusal` when it needs no waiting (:attr:`immediate`).

        PERF: benchmarks "batteries" column: no coroutine for the usual set-up,
        limits by client address counted in memory; with one fixed-window rate
        (:attr:`windows`), one count and, for an allowed request, the headers made
        from bytes prepared ahead (the limit) or once a second (the reset), written
        out here rather than in calls of their own.
        """
        if self.exempt and scope["path"].startswith(self.exempt):
            return None
        windows = self.windows
        if windows is None:
            try:
                decision = self.limiter.count_now(self.prefixes, _peer(scope), self.rates)
            except StoreUnavailable:
                return _unavailable(scope)
            return self._answer(scope, sent, decision)
        wall = time()
        client = scope.get("client")
        count, end = windows.hit(self._peer_prefix + (client[0] if client else "unknown"), wall)
        limit = windows.rate.limit
        if count > limit or not self._quick_headers:
            return self._answer(scope, sent, window_decision(windows.rate, count, end - wall))
        since, until, reset = self._reset
        if not since <= wall < until:
            reset = self._reset_header(end, wall)
        remaining = (b"ratelimit-remaining", b"%d" % (limit - count))
        sent.limit_headers = [self._limit_header, remaining, reset]
        return None

    def _reset_header(self, end: float, wall: float) -> tuple[bytes, bytes]:
        """``RateLimit-Reset``: the whole seconds from ``wall`` to the window's ``end``,
        rounded up, made once a second (windows end on a whole second, so within one
        second it is the same)."""
        second = math.floor(wall)
        header = (b"ratelimit-reset", b"%d" % (int(end) - second))
        self._reset = (float(second), float(second + 1), header)  # float: see FixedWindows
        return header

    def _answer(self, scope: Scope, sent: LayerSend, decision: Decision | None) -> Response | None:
        if decision is None:
            return None
        if not decision.allowed:
            denied = self.limiter.headers(decision)
            return error_response(scope, 429, too_many(decision), headers=denied)
        if self.headers:
            sent.limit_headers = decision.header_list(legacy=self.legacy)
        return None


def _peer(scope: Scope) -> str:
    client = scope.get("client")
    return _PEER + (client[0] if client else "unknown")


def _unavailable(scope: Scope) -> Response:
    headers = {"Retry-After": "1"}
    return error_response(scope, 503, "Rate limiting is unavailable", headers=headers)
