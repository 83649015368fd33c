"""Request observations kept as plain numbers, handed to prometheus-client in bulk.

A request observed through prometheus-client directly costs a counter and three
histogram observations, each taking its own lock and walking the bucket bounds
in Python: most of what the metrics battery adds to a fast request. Here a
finished request appends three numbers to list buffers of its series (its
latency under its status): no lock (``list.append`` is one C call, atomic under
the GIL), no bucket search, and no new object that the garbage collector tracks
(numbers are not tracked; a queue of tuples would live through collections and
make full collections come sooner). PERF: benchmarks "batteries" column: lists,
not ``array`` buffers, whose append converts and range-checks each number at
several times the cost. The buffers are handed over in bulk: before every scrape (a
collector registered first in the registry) and whenever a series has
``flush_every`` requests waiting. A scrape therefore always sees every finished
request. In multiprocess mode ``flush_every`` is 1, since another worker's
scrape reads this worker's values from its files.

Handing over sorts a buffer's values once and finds every bucket's count by
bisecting them at each bound: work done in C for the whole batch instead of a
Python bucket search per request.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from prometheus_client import Counter, Histogram
from prometheus_client.registry import Collector


def _take(buffer: list[Any]) -> list[Any]:
    """The values in ``buffer``, removed from it; appends made meanwhile stay (they
    go after the values taken, and only the one flushing thread removes)."""
    count = len(buffer)
    values = buffer[:count]
    del buffer[:count]
    return values


def _hand_over(child: Any, values: list[Any]) -> None:
    """Observe ``values`` on a histogram child in one go.

    PERF: benchmarks "batteries" column: prometheus-client has no bulk observe;
    its histogram child keeps its sum and per-bucket counts in these values.
    A value belongs to the first bucket whose bound is at least the value, as in
    ``Histogram.observe``.
    """
    if not values:
        return
    values.sort()
    child._sum.inc(sum(values))
    below = 0
    for bound, bucket in zip(child._upper_bounds, child._buckets, strict=True):
        upto = bisect_right(values, bound)
        if upto > below:
            bucket.inc(upto - below)
            below = upto


class _Status:
    """One status of a series: its counter and latency children, and the latencies
    not yet handed over."""

    __slots__ = ("counter", "latency", "seconds")

    def __init__(self, counter: Any, latency: Any) -> None:
        self.counter = counter
        self.latency = latency
        self.seconds: list[float] = []

    def flush(self) -> None:
        seconds = _take(self.seconds)
        if seconds:
            self.counter.inc(len(seconds))
            _hand_over(self.latency, seconds)


class RouteSeries:
    """The metric children of one method and route template, resolved once (per status
    on first use), with the observations not yet handed to them."""

    __slots__ = (
        "_by_status",
        "_tallies",
        "method",
        "received",
        "request_size",
        "response_size",
        "route",
        "sent",
    )

    def __init__(self, tallies: Tallies, method: str, route: str) -> None:
        self._tallies = tallies
        self.method, self.route = method, route
        self.request_size = tallies.request_size.labels(method, route)
        self.response_size = tallies.response_size.labels(method, route)
        self.received: list[int] = []
        self.sent: list[int] = []
        self._by_status: dict[int, _Status] = {}
        with tallies.lock:
            tallies.series.append(self)

    def observe(self, status: int, seconds: float, received: int, sent: int) -> None:
        # PERF: benchmarks "batteries" column: three appends (see the module docs)
        found = self._by_status.get(status)
        if found is None:
            found = self._add_status(status)
        found.seconds.append(seconds)
        self.received.append(received)
        self.sent.append(sent)
        if len(self.sent) >= self._tallies.flush_every:
            self._tallies.flush()

    def _add_status(self, status: int) -> _Status:
        labels = (self.method, self.route, str(status))
        tallies = self._tallies
        found = _Status(tallies.requests.labels(*labels), tallies.latency.labels(*labels))
        return self._by_status.setdefault(status, found)

    def flush(self) -> None:
        """Hand the waiting observations over (under the tallies' lock)."""
        for status in list(self._by_status.values()):
            status.flush()
        _hand_over(self.request_size, _take(self.received))
        _hand_over(self.response_size, _take(self.sent))


class Tallies(Collector):
    """Every route's series; as a collector (registered before the metrics it feeds)
    it hands their observations over when a scrape begins and reports nothing itself."""

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
        """Held while observations are handed over: one thread at a time removes them."""
        self.series: list[RouteSeries] = []

    def flush(self) -> None:
        """Hand every series' waiting observations to the metric children."""
        with self.lock:
            for series in list(self.series):
                series.flush()

    def collect(self) -> Iterable[Any]:
        self.flush()
        return ()

    def describe(self) -> Iterable[Any]:
        return ()
