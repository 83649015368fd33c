"""The worker side of a job: its request id, its log lines and its outcome.

:class:`JobContext` is a dramatiq middleware placed before all others. Before a
job runs it puts the request id the job was enqueued under into
:data:`veloxapi.batteries.request_id.request_id_var`, so every log line the job
writes (through :mod:`veloxapi.batteries.logging`) carries it; async jobs inherit
it too, since dramatiq hands them to its event loop with the thread's context.
After the job it logs and counts the outcome: ``succeeded``, ``retried``
(Retries scheduled another attempt after a back-off), ``dead`` (retries used up,
the job went to the dead-letter queue) or ``skipped``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from dramatiq.middleware import Middleware

from veloxapi.batteries.request_id import get_request_id, request_id_var

logger = logging.getLogger("veloxapi.tasks")

REQUEST_ID_OPTION = "velox_request_id"
"""The message option that carries the enqueuing request's id."""

OutcomeHook = Callable[[str, str, str, float], None]
"""Called with queue name, job name, outcome and seconds spent, once per attempt."""


def request_id_options() -> dict[str, Any]:
    """Message options carrying the current request id (empty outside a request)."""
    request_id = get_request_id()
    return {REQUEST_ID_OPTION: request_id} if request_id is not None else {}


class JobContext(Middleware):
    """Sets the request id around each job and reports each attempt's outcome."""

    def __init__(self) -> None:
        self.hooks: list[OutcomeHook] = []
        self._started: dict[str, float] = {}

    def before_process_message(self, broker: Any, message: Any) -> None:
        request_id_var.set(message.options.get(REQUEST_ID_OPTION))
        self._started[message.message_id] = time.perf_counter()
        logger.info(
            "job %s started (attempt %d)",
            message.actor_name,
            message.options.get("retries", 0) + 1,
            extra={"job_id": message.message_id, "queue": message.queue_name},
        )

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        outcome = "succeeded" if exception is None else "dead" if message.failed else "retried"
        self._finish(message, outcome, exception)

    def after_skip_message(self, broker: Any, message: Any) -> None:
        self._finish(message, "skipped", None)

    def _finish(self, message: Any, outcome: str, exception: BaseException | None) -> None:
        seconds = time.perf_counter() - self._started.pop(message.message_id, time.perf_counter())
        fields = {"job_id": message.message_id, "queue": message.queue_name, "outcome": outcome}
        if outcome == "dead":
            logger.error(
                "job %s failed for good after %d attempts; kept in the dead-letter queue",
                message.actor_name,
                message.options.get("retries", 0),
                extra=fields,
                exc_info=exception,
            )
        elif outcome == "retried":
            logger.warning(
                "job %s failed (%s); it will be retried after a back-off",
                message.actor_name,
                type(exception).__name__,
                extra=fields,
            )
        else:
            logger.info("job %s %s", message.actor_name, outcome, extra=fields)
        queue = message.queue_name.removesuffix(".DQ")
        for hook in self.hooks:
            hook(queue, message.actor_name, outcome, seconds)
        request_id_var.set(None)
