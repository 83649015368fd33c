"""Connection pool usage as Prometheus gauges, in the metrics battery's registry.

``<namespace>_db_pool_checked_out``, ``<namespace>_db_pool_size`` and
``<namespace>_db_pool_overflow`` (connections open beyond the pool size), each
labelled by ``engine`` (``async``, or ``sync`` for the synchronous sessions).
They are kept up to date by the pool's own events, so they cost nothing per
scrape and add up across workers in prometheus-client's multiprocess mode.
"""

from __future__ import annotations

import threading
from typing import Any

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import Engine, event

_GAUGES: dict[int, tuple[Gauge, Gauge, Gauge]] = {}
_GAUGES_LOCK = threading.Lock()


def _gauges(registry: CollectorRegistry, namespace: str) -> tuple[Gauge, Gauge, Gauge]:
    """The three gauges of ``registry``, made once however many databases report to it."""
    with _GAUGES_LOCK:
        found = _GAUGES.get(id(registry))
        if found is None:

            def gauge(name: str, documentation: str) -> Gauge:
                return Gauge(
                    f"{namespace}_db_pool_{name}",
                    documentation,
                    ("engine",),
                    multiprocess_mode="livesum",
                    registry=registry,
                )

            found = (
                gauge("checked_out", "Database connections lent to sessions now."),
                gauge("size", "Database connections the pool keeps open."),
                gauge("overflow", "Database connections open beyond the pool size now."),
            )
            _GAUGES[id(registry)] = found
        return found


class PoolGauges:
    """Follows one engine's pool through its events and reports to the gauges."""

    def __init__(self, registry: CollectorRegistry, namespace: str, label: str) -> None:
        checked_out, size, overflow = _gauges(registry, namespace)
        self.checked_out = checked_out.labels(label)
        self.size = size.labels(label)
        self.overflow = overflow.labels(label)
        self._open = 0
        self._pool_size = 0
        self._lock = threading.Lock()

    def watch(self, engine: Engine) -> None:
        size = getattr(engine.pool, "size", None)
        self._pool_size = size() if callable(size) else 1
        self.size.set(self._pool_size)
        event.listen(engine, "checkout", self._checkout)
        event.listen(engine, "checkin", self._checkin)
        event.listen(engine, "connect", self._connect)
        event.listen(engine, "close", self._close)
        event.listen(engine, "detach", self._detach)

    def _checkout(self, *_: Any) -> None:
        self.checked_out.inc()

    def _checkin(self, *_: Any) -> None:
        self.checked_out.dec()

    def _connect(self, *_: Any) -> None:
        self._opened(1)

    def _close(self, *_: Any) -> None:
        self._opened(-1)

    def _detach(self, *_: Any) -> None:
        self._opened(-1)

    def _opened(self, change: int) -> None:
        with self._lock:
            self._open += change
            self.overflow.set(max(0, self._open - self._pool_size))
