"""Request observations tallied in plain numbers, handed to prometheus-client in bulk.

A request observed through prometheus-client directly costs a counter and three
histogram observations, each taking its own lock and walking the bucket bounds
in Python: most of what the metrics battery adds to a fast request. Here a
request adds to one flat list of bucket counts per route and status under one
lock (each bucket found by ``bisect``), and the tallies are handed over in
bulk: before every scrape (a collector registered first in the registry) and
every ``flush_every`` requests. A scrape therefore always sees every finished request. In
multiprocess mode ``flush_every`` is 1, since another worker's scrape reads
this worker's values from its files.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from prometheus_client import Counter, Histogram
from prometheus_client.registry import Collector


class _StatusTally:
    """Requests of one route and status not yet handed over: the bucket counts of the
    latency, request size and response size histograms in one flat list (in that
    order), and their three sums."""

    __slots__ = ("counter", "counts", "latency", "sums")

    def __init__(self, counter: Any, latency: Any, sizes: int) -> None:
        self.counter = counter
        self.latency = latency
        self.counts = [0] * (len(latency._upper_bounds) + 2 * sizes)
        self.sums = [0.0, 0, 0]


def _hand_over(child: Any, counts: list[int], start: int, end: int, total: float) -> None:
    """Add the bucket counts ``counts[start:end]`` and their sum to a histogram child.

    PERF: benchmarks "batteries" column: prometheus-client has no bulk observe;
    its histogram child keeps its sum and per-bucket counts in these values.
    """
    child._sum.inc(total)
    buckets = child._buckets
    for index in range(start, end):
        if counts[index]:
            buckets[index - start].inc(counts[index])
            counts[index] = 0


class RouteSeries:
    """The metric children of one method and route template, resolved once (per status
    on first use), with the observations not yet handed to them."""

    __slots__ = (
        "_by_status",
        "_tallies",
        "method",
        "request_size",
        "response_size",
        "route",
        "size_bounds",
        "time_bounds",
    )

    def __init__(self, tallies: Tallies, method: str, route: str) -> None:
        self._tallies = tallies
        self.method, self.route = method, route
        self.request_size = tallies.request_size.labels(method, route)
        self.response_size = tallies.response_size.labels(method, route)
        self.size_bounds: list[float] = list(self.request_size._upper_bounds)
        self.time_bounds: list[float] = list(tallies.latency._upper_bounds)
        self._by_status: dict[int, _StatusTally] = {}
        tallies.series.append(self)

    def observe(self, status: int, seconds: float, received: int, sent: int) -> None:
        # PERF: benchmarks "batteries" column: one lock, three bisects, no calls per
        # histogram; the counts are handed to prometheus-client in bulk (Tallies).
        tallies = self._tallies
        with tallies.lock:
            tally = self._by_status.get(status)
            if tally is None:
                tally = self._add_status(status)
            counts, sums, time_buckets = tally.counts, tally.sums, len(self.time_bounds)
            counts[bisect_left(self.time_bounds, seconds)] += 1
            counts[time_buckets + bisect_left(self.size_bounds, received)] += 1
            counts[time_buckets + len(self.size_bounds) + bisect_left(self.size_bounds, sent)] += 1
            sums[0] += seconds
            sums[1] += received
            sums[2] += sent
            tallies.unflushed += 1
            if tallies.unflushed >= tallies.flush_every:
                tallies.flush_locked()

    def _add_status(self, status: int) -> _StatusTally:
        labels = (self.method, self.route, str(status))
        tally = _StatusTally(
            self._tallies.requests.labels(*labels),
            self._tallies.latency.labels(*labels),
            len(self.size_bounds),
        )
        self._by_status[status] = tally
        return tally

    def flush(self) -> None:
        """Hand every status's tallies to the metric children (under the tallies' lock)."""
        times, sizes = len(self.time_bounds), len(self.size_bounds)
        for tally in self._by_status.values():
            counts, sums = tally.counts, tally.sums
            requests = sum(counts[:times])
            if not requests:
                continue
            tally.counter.inc(requests)
            _hand_over(tally.latency, counts, 0, times, sums[0])
            _hand_over(self.request_size, counts, times, times + sizes, sums[1])
            _hand_over(self.response_size, counts, times + sizes, times + 2 * sizes, sums[2])
            sums[0], sums[1], sums[2] = 0.0, 0, 0


class Tallies(Collector):
    """Every route's tallies; as a collector (registered before the metrics it feeds)
    it hands them over when a scrape begins and reports nothing itself."""

    def __init__(
        self,
        requests: Counter,
        latency: Histogram,
        request_size: Histogram,
        response_size: Histogram,
        flush_every: int,
    ) -> None:
        self.requests, self.latency = requests, latency
        self.request_size, self.response_size = request_size, response_size
        self.flush_every = flush_every
        self.lock = threading.Lock()
        self.series: list[RouteSeries] = []
        self.unflushed = 0

    def flush(self) -> None:
        with self.lock:
            self.flush_locked()

    def flush_locked(self) -> None:
        for series in self.series:
            series.flush()
        self.unflushed = 0

    def collect(self) -> Iterable[Any]:
        self.flush()
        return ()

    def describe(self) -> Iterable[Any]:
        return ()
