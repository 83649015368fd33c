"""``Jobs``: the durable counterpart of ``BackgroundTasks`` for endpoints.

::

    @app.post("/orders")
    async def create_order(order: Order, jobs: Jobs) -> Order:
        jobs.add_job(send_receipt, order.id)
        return order

``add_job`` records the call (its arguments are checked to be JSON at once).
When the endpoint returns, the recorded jobs are handed to the broker, in
order, *before* the response is sent:

* the client gets its 2xx only once the jobs are durably queued;
* if the broker cannot take them, the response is a 503 with ``Retry-After``
  (and the failure is logged), never a 2xx whose work was silently dropped;
* if the endpoint raises, nothing is queued (like ``BackgroundTasks``).

``BackgroundTasks`` runs its tasks after the response instead; for a durable
queue that order would hide an enqueue failure from the one party able to retry.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any, ParamSpec

import dramatiq

from veloxapi.batteries.tasks.job import EnqueueError, Job
from veloxapi.exceptions import HTTPException
from veloxapi.param_functions import Depends

P = ParamSpec("P")

logger = logging.getLogger("veloxapi.tasks")

__all__ = ["JobBatch", "Jobs", "JobsNotQueued"]

RETRY_AFTER_SECONDS = 5


class JobsNotQueued(HTTPException):
    """503: the request's jobs could not be queued, so its work was not accepted."""

    def __init__(self, reason: EnqueueError) -> None:
        super().__init__(
            status_code=503,
            detail="The work this request asked for could not be queued; try again later.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
        self.reason = reason


class JobBatch:
    """The jobs one request asked for, queued when its endpoint returns."""

    def __init__(self) -> None:
        self._pending: list[tuple[Job[..., Any], dramatiq.Message[Any]]] = []
        self.job_ids: list[str] = []
        """Ids of the jobs queued so far (filled when the batch is flushed)."""

    def add_job(self, job: Job[P, Any], /, *args: P.args, **kwargs: P.kwargs) -> None:
        """Record a call of ``job``; it is queued when the endpoint returns."""
        if not isinstance(job, Job):
            raise TypeError(
                f"add_job() takes a function registered with @queue.job, got {job!r}; "
                "decorate it with @queue.job so a worker process can find it"
            )
        self._pending.append((job, job.message(*args, **kwargs)))

    def __len__(self) -> int:
        return len(self._pending)

    async def flush(self) -> list[str]:
        """Queue every recorded job in order; :class:`EnqueueError` on the first failure."""
        pending, self._pending = self._pending, []
        for job, message in pending:
            self.job_ids.append(await job.queue.enqueue_message_async(message))
        return self.job_ids


async def job_batch() -> AsyncIterator[JobBatch]:
    """The dependency behind :data:`Jobs`: flush after the endpoint, before the response."""
    batch = JobBatch()
    yield batch
    try:
        await batch.flush()
    except EnqueueError as exc:
        logger.error("a request's jobs were not queued: %s", exc)
        raise JobsNotQueued(exc) from exc


Jobs = Annotated[JobBatch, Depends(job_batch, scope="function")]
"""Declare ``jobs: Jobs`` in an endpoint (or dependency) to queue durable jobs."""
