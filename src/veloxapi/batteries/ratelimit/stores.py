"""Where rate-limit counters live: the store protocol and the in-memory store.

A store answers one question atomically: "count this request against ``rate``
under ``key``; is it allowed?". The in-memory store is exact within one
process; use :class:`~veloxapi.batteries.ratelimit.redis_store.RedisRateLimitStore`
when several workers must share counters.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from veloxapi.batteries.ratelimit.rates import Algorithm, Decision, Rate

_SWEEP_EVERY = 1024


class RateLimitStore(Protocol):
    """Atomic counting of requests against a rate."""

    async def hit(self, key: str, rate: Rate, algorithm: Algorithm) -> Decision:
        """Count one request under ``key`` and say whether it is within ``rate``."""
        ...

    async def aclose(self) -> None:
        """Release connections (no-op for in-process stores)."""
        ...


@dataclass
class _Entry:
    expires: float
    window: int = -1
    count: int = 0
    hits: deque[float] = field(default_factory=deque)
    tokens: float = 0.0
    stamp: float = 0.0


class MemoryRateLimitStore:
    """Counters in this process's memory.

    Fixed windows are calendar-aligned on the wall clock, as in the Redis store
    (a ``1/hour`` window runs from one full hour to the next); the other
    algorithms and expiry use the monotonic clock.

    Exact under concurrency within one process (a lock guards each decision);
    expired entries are swept every few thousand hits so memory stays bounded by
    the number of active keys.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._hits = 0

    async def hit(self, key: str, rate: Rate, algorithm: Algorithm) -> Decision:
        return self.count(key, rate, algorithm)

    def count(self, key: str, rate: Rate, algorithm: Algorithm) -> Decision:
        """:meth:`hit` without the coroutine (nothing here waits)."""
        now = time.monotonic()
        lock = self._lock
        lock.acquire()  # PERF: benchmarks "batteries" column: cheaper than ``with`` on 3.11
        try:
            self._hits += 1
            if self._hits % _SWEEP_EVERY == 0:
                self._sweep(now)
            entry = self._entries.get(key)
            if entry is None or entry.expires <= now:
                entry = self._entries[key] = _Entry(expires=now + rate.period)
            if algorithm is Algorithm.FIXED_WINDOW:
                return _fixed(entry, rate, now, time.time())
            if algorithm is Algorithm.SLIDING_WINDOW:
                return _sliding(entry, rate, now)
            return _bucket(entry, rate, now)
        finally:
            lock.release()

    async def aclose(self) -> None:
        return None

    def _sweep(self, now: float) -> None:
        for key in [k for k, entry in self._entries.items() if entry.expires <= now]:
            del self._entries[key]


def _fixed(entry: _Entry, rate: Rate, now: float, wall: float) -> Decision:
    period, limit = rate.period, rate.limit
    window = math.floor(wall / period)
    if entry.window != window:
        entry.window, entry.count = window, 0
    count = entry.count = entry.count + 1
    reset = (window + 1) * period - wall
    entry.expires = now + reset
    if count <= limit:
        return Decision(True, limit, limit - count, reset, 0.0)
    return Decision(False, limit, 0, reset, reset)


def _sliding(entry: _Entry, rate: Rate, now: float) -> Decision:
    hits = entry.hits
    while hits and hits[0] <= now - rate.period:
        hits.popleft()
    allowed = len(hits) < rate.limit
    if allowed:
        hits.append(now)
    entry.expires = now + rate.period
    reset = hits[0] + rate.period - now
    remaining = rate.limit - len(hits)
    return Decision(allowed, rate.limit, remaining, reset, 0.0 if allowed else reset)


def _bucket(entry: _Entry, rate: Rate, now: float) -> Decision:
    per_second = rate.limit / rate.period
    if entry.stamp == 0.0:
        entry.tokens, entry.stamp = float(rate.limit), now
    tokens = min(float(rate.limit), entry.tokens + (now - entry.stamp) * per_second)
    allowed = tokens >= 1.0
    if allowed:
        tokens -= 1.0
    entry.tokens, entry.stamp = tokens, now
    reset = (rate.limit - tokens) / per_second
    entry.expires = now + reset + 1.0
    retry_after = 0.0 if allowed else (1.0 - tokens) / per_second
    return Decision(allowed, rate.limit, math.floor(tokens), reset, retry_after)
