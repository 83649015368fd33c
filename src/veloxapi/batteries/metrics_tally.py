"""Request observations queued as they finish, handed to prometheus-client in bulk.

A request observed through prometheus-client directly costs a counter and three
histogram observations, each taking its own lock and walking the bucket bounds
in Python: most of what the metrics battery adds to a fast request. Here a
finished request is one tuple appended to a queue -- no lock (``deque.append``
is atomic), no bucket search -- and the queue is handed over in bulk: before
every scrape (a collector registered first in the registry) and every
``flush_every`` requests. A scrape therefore always sees every finished
request. In multiprocess mode ``flush_every`` is 1, since another worker's
scrape reads this worker's values from its files.

Handing over sorts each series' values once and finds every bucket's count by
bisecting the sorted values at each bound: work done in C for the whole batch
instead of a Python bucket search per request.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter
from typing import Any

from prometheus_client import Counter, Histogram
from prometheus_client.registry import Collector

Observation = tuple[int, int, float, int, int]
"""A finished request: its series' number, status, seconds, request and response bytes."""
_SERIES_AND_STATUS = itemgetter(0, 1)


def _hand_over(child: Any, observed: Iterable[float]) -> None:
    """Observe ``values`` on a histogram child in one go.

    PERF: benchmarks "batteries" column: prometheus-client has no bulk observe;
    its histogram child keeps its sum and per-bucket counts in these values.
    A value belongs to the first bucket whose bound is at least the value, as in
    ``Histogram.observe``.
    """
    values = sorted(observed)
    child._sum.inc(sum(values))
    below = 0
    for bound, bucket in zip(child._upper_bounds, child._buckets, strict=True):
        upto = bisect_right(values, bound)
        if upto > below:
            bucket.inc(upto - below)
            below = upto


class RouteSeries:
    """The metric children of one method and route template, resolved once (per status
    on first use)."""

    __slots__ = (
        "_by_status",
        "_tallies",
        "method",
        "number",
        "request_size",
        "response_size",
        "route",
    )

    def __init__(self, tallies: Tallies, method: str, route: str) -> None:
        self._tallies = tallies
        self.method, self.route = method, route
        self.request_size = tallies.request_size.labels(method, route)
        self.response_size = tallies.response_size.labels(method, route)
        self._by_status: dict[int, tuple[Any, Any]] = {}
        with tallies.lock:
            self.number = len(tallies.series)
            tallies.series.append(self)

    def observe(self, status: int, seconds: float, received: int, sent: int) -> None:
        # PERF: benchmarks "batteries" column: one append per request (see the module docs)
        tallies = self._tallies
        pending = tallies.pending
        pending.append((self.number, status, seconds, received, sent))
        if len(pending) >= tallies.flush_every:
            tallies.flush()

    def children(self, status: int) -> tuple[Any, Any]:
        """The request counter and latency histogram children of ``status``."""
        found = self._by_status.get(status)
        if found is None:
            labels = (self.method, self.route, str(status))
            tallies = self._tallies
            found = (tallies.requests.labels(*labels), tallies.latency.labels(*labels))
            self._by_status[status] = found
        return found


class Tallies(Collector):
    """The queue of finished requests; as a collector (registered before the metrics it
    feeds) it hands the queue over when a scrape begins and reports nothing itself."""

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
        """Held while the queue is handed over: one thread at a time reads it."""
        self.pending: deque[Observation] = deque()
        self.series: list[RouteSeries] = []
        """Every series, by its number."""

    def flush(self) -> None:
        """Hand every queued observation to the metric children."""
        with self.lock:
            pending = self.pending
            taken = [pending.popleft() for _ in range(len(pending))]
            taken.sort(key=_SERIES_AND_STATUS)  # in C: the series' numbers, then the status
            for (number, status), group in groupby(taken, _SERIES_AND_STATUS):
                _, _, seconds, received, sent = zip(*group, strict=True)
                series = self.series[number]
                counter, latency = series.children(status)
                counter.inc(len(seconds))
                _hand_over(latency, seconds)
                _hand_over(series.request_size, received)
                _hand_over(series.response_size, sent)

    def collect(self) -> Iterable[Any]:
        self.flush()
        return ()

    def describe(self) -> Iterable[Any]:
        return ()
