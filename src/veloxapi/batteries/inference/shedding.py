"""Load shedding: a bound on a route's requests in flight plus waiting; beyond it, 503 at once.

::

    shed = LoadShedder("predict", max_in_flight=8, max_waiting=32, retry_after=1)

    @app.post("/predict", dependencies=[Depends(shed)])
    async def predict(...): ...

Up to ``max_in_flight`` requests run the endpoint; up to ``max_waiting`` more
wait for a slot, first come first served (at most ``max_wait_seconds``, if
set); any request beyond that, or one whose wait runs out, is answered at once
with 503 and ``Retry-After``: a client learns in a millisecond that it should
come back, instead of joining a queue whose latency grows without bound. The
slot is held until the response has been sent (streaming responses included).

With a Prometheus registry (``registry=batteries.metrics.registry``) the bound
and the current use are exported, labelled by the shedder's name:
``<ns>_load_limit{route, kind="in_flight"|"waiting"}``,
``<ns>_load_in_flight{route}``, ``<ns>_load_waiting{route}`` and
``<ns>_load_shed_total{route}``.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from veloxapi.batteries.settings import ConfigurationError
from veloxapi.exceptions import HTTPException

__all__ = ["LoadShedder", "Overloaded"]


class Overloaded(HTTPException):
    """503 with ``Retry-After``: the route is at its bound of requests in flight plus waiting."""

    def __init__(self, name: str, retry_after: int) -> None:
        super().__init__(
            status_code=503,
            detail=f"Too many requests in progress for {name}; retry after {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


class _Gauges:
    """The load-shedding metrics of one registry, shared by every shedder using it."""

    def __init__(self, registry: Any, namespace: str) -> None:
        from prometheus_client import Counter, Gauge

        def gauge(name: str, doc: str, *labels: str) -> Gauge:
            return Gauge(f"{namespace}_{name}", doc, ("route", *labels), registry=registry,
                         multiprocess_mode="livesum")  # fmt: skip

        self.limit = gauge("load_limit", "Bound on requests in flight or waiting.", "kind")
        self.in_flight = gauge("load_in_flight", "Requests running the endpoint now.")
        self.waiting = gauge("load_waiting", "Requests waiting for a slot now.")
        self.shed = Counter(
            f"{namespace}_load_shed_total", "Requests answered 503 at once because of load.",
            ("route",), registry=registry,
        )  # fmt: skip


_GAUGES: weakref.WeakKeyDictionary[Any, _Gauges] = weakref.WeakKeyDictionary()


def _gauges_for(registry: Any, namespace: str) -> _Gauges:
    found = _GAUGES.get(registry)
    if found is None:
        found = _GAUGES[registry] = _Gauges(registry, namespace)
    return found


class LoadShedder:
    """A per-route bound; use it as a dependency (``Depends(shedder)``)."""

    def __init__(
        self,
        name: str,
        *,
        max_in_flight: int,
        max_waiting: int = 0,
        max_wait_seconds: float | None = None,
        retry_after: int = 1,
        registry: Any = None,
        namespace: str = "velox",
    ) -> None:
        self._check(name, max_in_flight, max_waiting, max_wait_seconds, retry_after)
        self.name = name
        self.max_in_flight = max_in_flight
        self.max_waiting = max_waiting
        self.max_wait_seconds = max_wait_seconds
        self.retry_after = retry_after
        self.in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._metrics = _gauges_for(registry, namespace) if registry is not None else None
        if self._metrics is not None:
            self._metrics.limit.labels(name, "in_flight").set(max_in_flight)
            self._metrics.limit.labels(name, "waiting").set(max_waiting)

    @staticmethod
    def _check(name: str, in_flight: int, waiting: int, wait: float | None, retry: int) -> None:
        where = f"LoadShedder({name!r})"
        problems = [
            f"{where}: {label}={value!r} must be {rule}"
            for label, value, ok, rule in (
                ("max_in_flight", in_flight, in_flight >= 1, "1 or more"),
                ("max_waiting", waiting, waiting >= 0, "0 or more"),
                ("max_wait_seconds", wait, wait is None or wait > 0, "None or above 0"),
                ("retry_after", retry, retry >= 0, "0 or more seconds"),
            )
            if not ok
        ]
        if problems:
            raise ConfigurationError(problems)

    @property
    def waiting(self) -> int:
        return sum(not waiter.done() for waiter in self._waiters)

    async def __call__(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()

    async def acquire(self) -> None:
        """Take a slot, wait for one, or raise :class:`Overloaded` at once."""
        if self.in_flight < self.max_in_flight and not self._waiters:
            self._set_in_flight(self.in_flight + 1)
            return
        if len(self._waiters) >= self.max_waiting:
            self._shed()
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._update_waiting()
        try:
            await asyncio.wait_for(waiter, self.max_wait_seconds)
        except BaseException as exc:
            self._give_up(waiter)
            if isinstance(exc, TimeoutError):
                self._shed()
            raise
        finally:
            self._update_waiting()

    def _give_up(self, waiter: asyncio.Future[None]) -> None:
        if waiter in self._waiters:
            self._waiters.remove(waiter)
        elif waiter.done() and not waiter.cancelled():
            self.release()  # the slot was handed over just as we gave up: pass it on

    def release(self) -> None:
        """Free a slot: hand it to the longest waiter, if any."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._update_waiting()
                return
        self._set_in_flight(self.in_flight - 1)

    def _shed(self) -> None:
        if self._metrics is not None:
            self._metrics.shed.labels(self.name).inc()
        raise Overloaded(self.name, self.retry_after)

    def _set_in_flight(self, value: int) -> None:
        self.in_flight = value
        if self._metrics is not None:
            self._metrics.in_flight.labels(self.name).set(value)

    def _update_waiting(self) -> None:
        if self._metrics is not None:
            self._metrics.waiting.labels(self.name).set(len(self._waiters))
