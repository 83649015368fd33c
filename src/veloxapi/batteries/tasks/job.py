"""A function registered as a job, and the error an enqueue raises.

``Job`` is what ``@queue.job`` returns: calling it runs the function inline;
``send`` (blocking) and ``enqueue`` (async) hand it to the broker and return
the job id. Arguments must be JSON values (they travel through the broker); a
value that is not is a ``TypeError`` at once, in the caller, not in the worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

from dramatiq import Actor, Message

from veloxapi.batteries.tasks.context import request_id_options

if TYPE_CHECKING:
    from veloxapi.batteries.tasks.queue import TaskQueue

P = ParamSpec("P")
R = TypeVar("R")

__all__ = ["EnqueueError", "Job"]


class EnqueueError(RuntimeError):
    """The broker did not take a job (unreachable, timed out, refused). Nothing was queued."""


class Job(Generic[P, R]):
    """A job of a :class:`~veloxapi.batteries.tasks.TaskQueue`."""

    def __init__(self, queue: TaskQueue, actor: Actor[P, R], fn: Callable[P, Any]) -> None:
        self.queue = queue
        self.actor = actor
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    @property
    def name(self) -> str:
        return self.actor.actor_name

    @property
    def queue_name(self) -> str:
        return self.actor.queue_name

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Any:
        """Run the function here and now, without the queue."""
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Job {self.name!r} on queue {self.queue_name!r}>"

    def message(self, *args: P.args, **kwargs: P.kwargs) -> Message[R]:
        """The broker message for one call, stamped with the current request id."""
        message = self.actor.message_with_options(args=args, kwargs=kwargs, **request_id_options())
        try:
            message.encode()
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"job {self.name!r}: arguments must be JSON values (str, int, float, bool, "
                f"None, lists and dicts of them) because they travel through the broker; "
                f"pass ids, not objects ({exc})"
            ) from exc
        return message

    def send(self, *args: P.args, **kwargs: P.kwargs) -> str:
        """Queue one call (blocking); the job id, or :class:`EnqueueError`."""
        return self.queue.enqueue_message(self.message(*args, **kwargs))

    async def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> str:
        """Queue one call from async code; the job id, or :class:`EnqueueError`."""
        message = self.message(*args, **kwargs)
        return await self.queue.enqueue_message_async(message)
