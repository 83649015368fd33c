"""``TaskQueue``: jobs declared on a dramatiq broker, enqueued from endpoints.

::

    queue = TaskQueue()              # VELOX_TASKS_* (memory by default)

    @queue.job(max_retries=3)
    def send_receipt(order_id: int) -> None: ...

    queue.install(app)               # starts/stops the embedded worker with the app

The same module is what ``velox worker module:queue`` imports to run the jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar, overload

import anyio.to_thread
import dramatiq
from dramatiq.brokers.stub import StubBroker

from veloxapi.batteries.settings import ConfigurationError, load_settings
from veloxapi.batteries.tasks.broker import build_broker, dead_letter_count, queue_depth
from veloxapi.batteries.tasks.context import JobContext
from veloxapi.batteries.tasks.job import EnqueueError, Job
from veloxapi.batteries.tasks.runner import WorkerRunner
from veloxapi.batteries.tasks.settings import TaskSettings

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from veloxapi.batteries.tasks.metrics import DepthSampler, TaskMetrics

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("veloxapi.tasks")

__all__ = ["JobDecorator", "TaskQueue"]


class JobDecorator(Protocol):
    """What ``@queue.job(...)`` with options returns."""

    def __call__(self, fn: Callable[P, R], /) -> Job[P, R]: ...


class TaskQueue:
    """A set of jobs on one broker; see the module docstring."""

    def __init__(self, settings: TaskSettings | None = None) -> None:
        self.settings = settings or load_settings(TaskSettings)
        self.context = JobContext()
        self.broker: dramatiq.Broker = build_broker(self.settings, [self.context])
        self.metrics: TaskMetrics | None = None
        self.runner = WorkerRunner(self)
        self._sampler: DepthSampler | None = None
        self.jobs: dict[str, Job[..., Any]] = {}

    @property
    def embedded(self) -> bool:
        """True when jobs live in this process (the ``memory`` backend)."""
        return isinstance(self.broker, StubBroker)

    @overload
    def job(self, fn: Callable[P, R], /) -> Job[P, R]: ...

    @overload
    def job(
        self,
        *,
        name: str | None = None,
        queue: str | None = None,
        max_retries: int | None = None,
        min_backoff_ms: int | None = None,
        max_backoff_ms: int | None = None,
        time_limit_ms: int | None = None,
        give_up_on: tuple[type[BaseException], ...] = (),
    ) -> JobDecorator: ...

    def job(
        self,
        fn: Callable[..., Any] | None = None,
        *,
        name: str | None = None,
        queue: str | None = None,
        max_retries: int | None = None,
        min_backoff_ms: int | None = None,
        max_backoff_ms: int | None = None,
        time_limit_ms: int | None = None,
        give_up_on: tuple[type[BaseException], ...] = (),
    ) -> Any:
        """Register ``fn`` (sync or async) as a job; options override the settings.

        ``give_up_on`` lists exceptions that dead-letter the job at once, unretried.
        """
        settings = self.settings
        options: dict[str, Any] = {
            "max_retries": settings.max_retries if max_retries is None else max_retries,
            "min_backoff": min_backoff_ms or settings.min_backoff_ms,
            "max_backoff": max_backoff_ms or settings.max_backoff_ms,
            "time_limit": time_limit_ms or settings.time_limit_ms,
        }
        if give_up_on:
            options["throws"] = give_up_on

        def register(func: Callable[P, R]) -> Job[P, R]:
            return self._register(func, name or func.__name__, queue, options)

        return register if fn is None else register(fn)

    def _register(
        self, fn: Callable[P, R], job_name: str, queue: str | None, options: dict[str, Any]
    ) -> Job[P, R]:
        if job_name in self.jobs:
            raise ConfigurationError(
                [
                    f"job name {job_name!r} is used twice ({self.jobs[job_name].fn!r} and "
                    f"{fn!r}); give one @queue.job(name=...) a distinct name"
                ]
            )
        actor: dramatiq.Actor[P, R] = dramatiq.Actor(
            fn,
            broker=self.broker,
            actor_name=job_name,
            queue_name=queue or self.settings.default_queue,
            priority=0,
            options=options,
        )
        job: Job[P, R] = Job(self, actor, fn)
        self.jobs[job_name] = job
        return job

    # -- enqueueing ------------------------------------------------------------------------
    def enqueue_message(self, message: dramatiq.Message[Any]) -> str:
        """Hand ``message`` to the broker (blocking); its id, or :class:`EnqueueError`."""
        try:
            self.broker.enqueue(message)
        except Exception as exc:
            if self.metrics is not None:
                self.metrics.enqueue_failures.labels(message.queue_name, message.actor_name).inc()
            where = "memory" if self.embedded else self.settings.backend
            raise EnqueueError(
                f"job {message.actor_name!r} was not queued: the {where} broker failed "
                f"({type(exc).__name__}: {exc}); nothing was enqueued, retry later"
            ) from exc
        if self.metrics is not None:
            self.metrics.enqueued.labels(message.queue_name, message.actor_name).inc()
        return message.message_id

    async def enqueue_message_async(self, message: dramatiq.Message[Any]) -> str:
        """:meth:`enqueue_message` from async code: a broker call runs in a worker thread."""
        if self.embedded:
            return self.enqueue_message(message)
        return await anyio.to_thread.run_sync(self.enqueue_message, message)

    # -- observing -------------------------------------------------------------------------
    def queue_names(self) -> list[str]:
        return sorted({job.queue_name for job in self.jobs.values()})

    def depth(self, queue: str | None = None) -> int:
        """Jobs waiting in ``queue`` (the default queue when not given)."""
        return queue_depth(self.broker, queue or self.settings.default_queue)

    def dead_letters(self, queue: str | None = None) -> int:
        """Jobs of ``queue`` that used up their retries and sit in its dead-letter queue.

        They are kept for 7 days (Redis, RabbitMQ) for inspection or replay with the
        broker's own tools; each was also logged at ERROR with its traceback.
        """
        return dead_letter_count(self.broker, queue or self.settings.default_queue)

    def instrument(self, registry: CollectorRegistry, namespace: str = "velox") -> TaskMetrics:
        """Record enqueues, outcomes and queue depth as Prometheus metrics in ``registry``."""
        from veloxapi.batteries.tasks.metrics import TaskMetrics

        self.metrics = TaskMetrics(registry, namespace)
        self.context.hooks.append(self.metrics.on_outcome)
        return self.metrics

    # -- running ---------------------------------------------------------------------------
    def install(self, app: Any, *, metrics: Any = None) -> None:
        """Tie the queue to ``app``'s lifespan; ``metrics``: the metrics battery's result.

        With the ``memory`` backend (and ``embedded_worker`` on) a worker runs jobs
        inside the app between start-up and shutdown. With a broker, jobs run in
        ``velox worker`` processes and the app only enqueues. With ``metrics``, the
        depth of each queue is sampled into the app's metrics while it runs.
        """
        if metrics is not None:
            self.instrument(metrics.registry, metrics.settings.namespace)
        app.add_event_handler("startup", self._startup)
        app.add_event_handler("shutdown", self._shutdown)

    async def _startup(self) -> None:
        if self.embedded and self.settings.embedded_worker:
            await anyio.to_thread.run_sync(self.runner.start)  # it samples the depth too
        elif self.metrics is not None:
            self._sampler = self.metrics.start_sampler(self.depth, self.queue_names)

    async def _shutdown(self) -> None:
        await anyio.to_thread.run_sync(self.close)

    def close(self) -> None:
        """Stop a running worker (finishing jobs in hand) and close the broker's connections."""
        sampler, self._sampler = self._sampler, None
        if sampler is not None:
            sampler.stop()
        self.runner.stop()
        self.broker.close()

    def drain(self, timeout: float = 30.0) -> None:
        """Block until every queued job (retries included) has run; for tests and scripts."""
        self.runner.drain(timeout)
