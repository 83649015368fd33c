"""``WorkerRunner``: a dramatiq worker (a pool of threads) in this process.

Used by the app's embedded worker (``memory`` backend) and by ``velox worker``.
A job is acknowledged only after it returns (or after its failure has been
recorded as a retry or a dead letter), so a worker that dies mid-job leaves the
job to be delivered again: at once on RabbitMQ (the connection drops), after
``heartbeat_timeout_ms`` on Redis (another worker's maintenance requeues it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

import dramatiq
from dramatiq.brokers.stub import StubBroker

if TYPE_CHECKING:
    from veloxapi.batteries.tasks.metrics import DepthSampler
    from veloxapi.batteries.tasks.queue import TaskQueue

logger = logging.getLogger("veloxapi.tasks")

__all__ = ["WorkerRunner"]

_STOP_TIMEOUT_MS = 30_000


class WorkerRunner:
    """Starts, stops and drains the worker of one :class:`TaskQueue`."""

    def __init__(self, queue: TaskQueue) -> None:
        self.queue = queue
        self.worker: dramatiq.Worker | None = None
        self._lock = threading.Lock()
        self._sampler: DepthSampler | None = None

    @property
    def running(self) -> bool:
        return self.worker is not None

    def start(self, threads: int | None = None, queues: Iterable[str] | None = None) -> None:
        """Start consuming ``queues`` (all of the queue's by default) with ``threads``."""
        with self._lock:
            if self.worker is not None:
                return
            worker = dramatiq.Worker(
                self.queue.broker,
                queues=set(queues) if queues else None,
                worker_threads=threads or self.queue.settings.worker_threads,
                worker_timeout=100 if self.queue.embedded else 1000,
            )
            worker.start()
            self.worker = worker
            metrics = self.queue.metrics
            if metrics is not None:
                self._sampler = metrics.start_sampler(self.queue.depth, self.queue.queue_names)
        logger.info(
            "job worker started: %d threads on queues %s",
            worker.worker_threads,
            ", ".join(sorted(queues or self.queue.queue_names())) or "(none yet)",
        )

    def stop(self, timeout_ms: int = _STOP_TIMEOUT_MS) -> None:
        """Stop after the jobs in hand finish (or ``timeout_ms``); unstarted jobs stay queued."""
        with self._lock:
            worker, self.worker = self.worker, None
            sampler, self._sampler = self._sampler, None
        if sampler is not None:
            sampler.stop()
        if worker is not None:
            worker.stop(timeout=timeout_ms)
            logger.info("job worker stopped")

    def drain(self, timeout: float) -> None:
        """Run until every queue is empty and no job is in hand; a worker is started if need be."""
        started_here = not self.running
        if started_here:
            self.start()
        try:
            self._join(timeout)
        finally:
            if started_here:
                self.stop()

    def _join(self, timeout: float) -> None:
        broker = self.queue.broker
        for name in self.queue.queue_names():
            if isinstance(broker, StubBroker):
                broker.join(name, timeout=int(timeout * 1000), fail_fast=False)
            else:
                broker.join(name, timeout=int(timeout * 1000))
        if self.worker is not None:
            self.worker.join()
