"""Request observations tallied in plain numbers, handed to prometheus-client in bulk.

A request observed through prometheus-client directly costs a counter and three
histogram observations, each taking its own lock and walking the bucket bounds
in Python: most of what the metrics battery adds to a fast request. Here a
request adds to per-series tallies under one lock (the bucket found by
``bisect``), and the tallies are handed over in bulk: before every scrape (a
collector registered first in the registry) and every ``flush_every``
requests. A scrape therefore always sees every finished request. In
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


class _Tally:
    """Observations of one histogram child not yet handed to it."""

    __slots__ = ("bounds", "buckets", "child", "count", "total")

    def __init__(self, child: Any) -> None:
        self.child = child
        self.bounds: list[float] = list(child._upper_bounds)
        self.buckets = [0] * len(self.bounds)
        self.count = 0
        self.total = 0.0

    def add(self, amount: float) -> None:
        self.buckets[bisect_left(self.bounds, amount)] += 1
        self.total += amount
        self.count += 1

    def flush(self) -> None:
        if not self.count:
            return
        # PERF: benchmarks "batteries" column: prometheus-client has no bulk observe;
        # its histogram child keeps its sum and per-bucket counts in these values.
        self.child._sum.inc(self.total)
        for index, count in enumerate(self.buckets):
            if count:
                self.child._buckets[index].inc(count)
                self.buckets[index] = 0
        self.count = 0
        self.total = 0.0


class _StatusTally:
    """Requests of one route and status: their counter child and latency tally."""

    __slots__ = ("counter", "latency")

    def __init__(self, counter: Any, latency: Any) -> None:
        self.counter = counter
        self.latency = _Tally(latency)

    def flush(self) -> None:
        if self.latency.count:
            self.counter.inc(self.latency.count)
            self.latency.flush()


class RouteSeries:
    """The metric children of one method and route template, resolved once (per status
    on first use), with the observations not yet handed to them."""

    __slots__ = ("_by_status", "_tallies", "method", "request_size", "response_size", "route")

    def __init__(self, tallies: Tallies, method: str, route: str) -> None:
        self._tallies = tallies
        self.method, self.route = method, route
        self.request_size = _Tally(tallies.request_size.labels(method, route))
        self.response_size = _Tally(tallies.response_size.labels(method, route))
        self._by_status: dict[int, _StatusTally] = {}
        tallies.series.append(self)

    def observe(self, status: int, seconds: float, received: int, sent: int) -> None:
        with self._tallies.lock:
            tally = self._by_status.get(status)
            if tally is None:
                labels = (self.method, self.route, str(status))
                tally = _StatusTally(
                    self._tallies.requests.labels(*labels), self._tallies.latency.labels(*labels)
                )
                self._by_status[status] = tally
            tally.latency.add(seconds)
            self.request_size.add(received)
            self.response_size.add(sent)
            self._tallies.unflushed += 1
            if self._tallies.unflushed >= self._tallies.flush_every:
                self._tallies.flush_locked()

    def flush(self) -> None:
        for tally in self._by_status.values():
            tally.flush()
        self.request_size.flush()
        self.response_size.flush()


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
