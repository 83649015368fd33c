"""Running blocking code without blocking the event loop.

``run_in_threadpool``, ``iterate_in_threadpool`` and ``run_until_first_complete``
are Starlette's. ``contextmanager_in_threadpool`` adapts a synchronous context
manager (for instance a sync ``yield`` dependency) to ``async with``.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, AbstractContextManager
from types import TracebackType
from typing import TypeVar

import anyio
import anyio.to_thread
from starlette.concurrency import iterate_in_threadpool as iterate_in_threadpool
from starlette.concurrency import run_in_threadpool as run_in_threadpool
from starlette.concurrency import run_until_first_complete as run_until_first_complete

_T = TypeVar("_T")


class _ThreadpoolContextManager(AbstractAsyncContextManager[_T]):
    """Runs ``__enter__`` and ``__exit__`` of a sync context manager in worker threads.

    Entering waits for the default thread limiter and can be cancelled while it
    waits; once ``__enter__`` has succeeded, ``__exit__`` always runs, shielded
    from cancellation and on its own limiter, so cleanup is never starved by a
    saturated threadpool.
    """

    __slots__ = ("_cm",)

    def __init__(self, cm: AbstractContextManager[_T]) -> None:
        self._cm = cm

    async def __aenter__(self) -> _T:
        return await anyio.to_thread.run_sync(self._cm.__enter__)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        with anyio.CancelScope(shield=True):
            suppress = await anyio.to_thread.run_sync(
                self._cm.__exit__,
                exc_type,
                exc_value,
                traceback,
                limiter=anyio.CapacityLimiter(1),
            )
        return bool(suppress)


def contextmanager_in_threadpool(cm: AbstractContextManager[_T]) -> AbstractAsyncContextManager[_T]:
    """Use the sync context manager ``cm`` from async code, off the event loop."""
    return _ThreadpoolContextManager(cm)


__all__ = [
    "contextmanager_in_threadpool",
    "iterate_in_threadpool",
    "run_in_threadpool",
    "run_until_first_complete",
]
