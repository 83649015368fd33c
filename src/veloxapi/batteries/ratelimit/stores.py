"""Where rate-limit counters live: the store protocol and the in-memory store.

A store answers one question atomically: "count this request against ``rate``
under ``key``; is it allowed?". The in-memory store is exact within one
process; use :class:`~veloxapi.batteries.ratelimit.redis_store.RedisRateLimitStore`
when several workers must share counters.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Iterator
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
    hits: deque[float] = field(default_factory=deque)
    tokens: float = 0.0
    stamp: float = 0.0


class MemoryRateLimitStore:
    """Counters in this process's memory.

    Fixed windows are calendar-aligned on the wall clock, as in the Redis store
    (a ``1/hour`` window runs from one full hour to the next); the other
    algorithms and expiry use the monotonic clock.

    Exact under concurrency within one process (a lock guards each decision;
    fixed windows count atomically, see :class:`FixedWindows`); expired entries
    are swept every few thousand hits, and a fixed window's counts are dropped
    when it ends, so memory stays bounded by the number of active keys.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._windows: dict[Rate, FixedWindows] = {}
        self._lock = threading.Lock()
        self._hits = 0

    async def hit(self, key: str, rate: Rate, algorithm: Algorithm) -> Decision:
        return self.count(key, rate, algorithm)

    def count(self, key: str, rate: Rate, algorithm: Algorithm) -> Decision:
        """:meth:`hit` without the coroutine (nothing here waits)."""
        if algorithm is Algorithm.FIXED_WINDOW:
            return self.fixed_windows(rate).decision(key, time.time())
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
            if algorithm is Algorithm.SLIDING_WINDOW:
                return _sliding(entry, rate, now)
            return _bucket(entry, rate, now)
        finally:
            lock.release()

    def fixed_windows(self, rate: Rate) -> FixedWindows:
        """The fixed-window counts of ``rate`` (one table per rate, made on first use)."""
        found = self._windows.get(rate)
        if found is None:
            with self._lock:
                found = self._windows.setdefault(rate, FixedWindows(rate))
        return found

    async def aclose(self) -> None:
        return None

    def _sweep(self, now: float) -> None:
        for key in [k for k, entry in self._entries.items() if entry.expires <= now]:
            del self._entries[key]


class FixedWindows:
    """Every key's count in the current fixed window of one rate.

    Windows are calendar-aligned on the wall clock, so all keys of a rate share
    one: its counts are one table, replaced when the window ends (or the clock
    leaves it backwards). A hit is one dictionary lookup and ``next()`` on the
    key's ``itertools.count``, which is atomic: exact under concurrency without
    a lock. PERF: benchmarks "batteries" column: the global limit of every request
    counts here.
    """

    __slots__ = ("_lock", "_window", "rate")

    def __init__(self, rate: Rate) -> None:
        self.rate = rate
        self._lock = threading.Lock()
        self._window: tuple[float, float, dict[str, Iterator[int]]] = (0.0, 0.0, {})
        """The window's start and end (Unix times, whole seconds as floats: a float
        compares faster with a float than with a large int) and its counts, replaced
        together."""

    def hit(self, key: str, wall: float) -> tuple[int, float]:
        """Count one request under ``key`` at ``wall`` (``time.time()``): its number in
        its window, and when the window ends."""
        start, end, counts = self._window
        if not start <= wall < end:
            start, end, counts = self._roll(wall)
        counter = counts.get(key)
        if counter is None:
            counter = counts.setdefault(key, itertools.count(1))
        return next(counter), end

    def decision(self, key: str, wall: float) -> Decision:
        """:meth:`hit`, as the store's decision."""
        count, end = self.hit(key, wall)
        return window_decision(self.rate, count, end - wall)

    def _roll(self, wall: float) -> tuple[float, float, dict[str, Iterator[int]]]:
        with self._lock:  # one thread replaces the window; the others take its table
            window = self._window
            if not window[0] <= wall < window[1]:
                period = self.rate.period
                start = math.floor(wall / period) * period
                window = self._window = (float(start), float(start + period), {})
            return window


def window_decision(rate: Rate, count: int, reset: float) -> Decision:
    """The decision on the ``count``-th request of a fixed window ending in ``reset`` s."""
    if count <= rate.limit:
        return Decision(True, rate.limit, rate.limit - count, reset, 0.0)
    return Decision(False, rate.limit, 0, reset, reset)


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
