"""Prometheus metrics of a job queue (needs prometheus-client: ``veloxapi[metrics]``).

* ``<namespace>_jobs_enqueued_total{queue, job}`` (counter): jobs handed to the broker;
* ``<namespace>_jobs_total{queue, job, outcome}`` (counter): attempts by outcome
  (``succeeded``, ``retried``, ``dead``, ``skipped``);
* ``<namespace>_job_duration_seconds{queue, job}`` (histogram): time per attempt;
* ``<namespace>_jobs_enqueue_failures_total{queue, job}`` (counter): enqueues that failed;
* ``<namespace>_job_queue_depth{queue}`` (gauge): jobs waiting, sampled every few
  seconds by :class:`DepthSampler` (the app's embedded worker or ``velox worker``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

try:
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        'Job metrics need prometheus-client: pip install "veloxapi[metrics]"'
    ) from exc

logger = logging.getLogger("veloxapi.tasks")


class TaskMetrics:
    """The collectors of one job queue, registered in ``registry``."""

    def __init__(self, registry: CollectorRegistry, namespace: str = "velox") -> None:
        labels = ("queue", "job")
        self.enqueued = Counter(
            f"{namespace}_jobs_enqueued_total", "Jobs handed to the broker.", labels,
            registry=registry,
        )  # fmt: skip
        self.enqueue_failures = Counter(
            f"{namespace}_jobs_enqueue_failures_total",
            "Jobs the broker could not take (the caller got an EnqueueError).",
            labels,
            registry=registry,
        )
        self.outcomes = Counter(
            f"{namespace}_jobs_total",
            "Job attempts by outcome: succeeded, retried, dead, skipped.",
            (*labels, "outcome"),
            registry=registry,
        )
        self.duration = Histogram(
            f"{namespace}_job_duration_seconds", "Time per job attempt.", labels,
            registry=registry,
        )  # fmt: skip
        self.depth = Gauge(
            f"{namespace}_job_queue_depth",
            "Jobs waiting in a queue (sampled).",
            ("queue",),
            multiprocess_mode="max",
            registry=registry,
        )

    def on_outcome(self, queue: str, job: str, outcome: str, seconds: float) -> None:
        self.outcomes.labels(queue, job, outcome).inc()
        self.duration.labels(queue, job).observe(seconds)

    def start_sampler(
        self, depth: Callable[[str], int], queues: Callable[[], Iterable[str]]
    ) -> DepthSampler:
        """Sample the depth of ``queues()`` into the depth gauge until stopped."""
        sampler = DepthSampler(self.depth, depth, queues)
        sampler.start()
        return sampler


class DepthSampler:
    """A daemon thread setting the depth gauge of each queue every ``interval`` seconds."""

    def __init__(
        self,
        gauge: Gauge,
        depth: Callable[[str], int],
        queues: Callable[[], Iterable[str]],
        interval: float = 5.0,
    ) -> None:
        self._gauge = gauge
        self._depth = depth
        self._queues = queues
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="velox-queue-depth", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._interval + 5)

    def sample(self) -> None:
        """Read every queue's depth now; a broker error leaves the last value in place."""
        for queue in self._queues():
            try:
                self._gauge.labels(queue).set(self._depth(queue))
            except Exception as exc:  # the broker is down: the next sample retries
                logger.warning("could not read the depth of queue %r: %s", queue, exc)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self._interval)
