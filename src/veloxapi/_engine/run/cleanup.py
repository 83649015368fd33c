"""Lifetimes of ``yield`` dependencies: entering them, and closing them safely.

A request whose plan has ``yield`` dependencies runs inside a *guard*: a
cancel scope entered before the first dependency and left after the last
cleanup. Dependencies are entered straight into a ``CleanupStack`` — no
wrapper opens a cancel scope around them — so a dependency that holds a cancel
scope or task group across its ``yield`` exits it in the task, and the nesting
order, it entered it in. Closing a stack shields the guard for the duration
of the cleanups: every dependency's cleanup runs to the end even when the
request is being cancelled, and the cancellation is delivered afterwards.

The request stack (cleanup after the response is sent) and the function stack
(cleanup right after the endpoint returns) share the one guard, entered
outside both.
"""

from __future__ import annotations

from contextlib import (
    AbstractAsyncContextManager,
    AsyncExitStack,
    asynccontextmanager,
    contextmanager,
)
from types import TracebackType
from typing import Any

import anyio
import anyio.lowlevel

from veloxapi._engine.compile.plan import Step
from veloxapi._engine.run.calls import CallMode
from veloxapi.concurrency import contextmanager_in_threadpool


class CleanupStack(AsyncExitStack):
    """An exit stack whose closing can't be interrupted by cancelling the request.

    ``guard`` must have been entered before anything is pushed on the stack and
    be left after the stack is closed. When an async ``yield`` dependency was
    on the stack, a cancellation that arrived meanwhile is raised once the
    cleanups are done (sync cleanups never await in the event loop, so they
    leave the timing of the response alone).
    """

    def __init__(self, guard: anyio.CancelScope) -> None:
        super().__init__()
        self.guard = guard
        self.async_cleanup = False

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        guard = self.guard
        guard.shield = True
        try:
            suppressed = bool(await super().__aexit__(exc_type, exc, tb))
        finally:
            guard.shield = False
        if self.async_cleanup and (exc is None or suppressed):
            await anyio.lowlevel.checkpoint_if_cancelled()  # a cancellation waits, it isn't lost
        return suppressed


class _Limited:
    """Holds a concurrency slot from before entry until after a dependency's cleanup."""

    __slots__ = ("_cm", "_semaphore")

    def __init__(self, cm: AbstractAsyncContextManager[Any], semaphore: anyio.Semaphore) -> None:
        self._cm = cm
        self._semaphore = semaphore

    async def __aenter__(self) -> Any:
        await self._semaphore.acquire()
        try:
            return await self._cm.__aenter__()
        except BaseException:
            self._semaphore.release()
            raise

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        try:
            return await self._cm.__aexit__(*exc_info)
        finally:
            self._semaphore.release()


async def enter_yield_dependency(step: Step, kwargs: dict[str, Any], stack: CleanupStack) -> Any:
    """Run a ``yield`` dependency up to its ``yield``; its cleanup joins ``stack``."""
    cm: AbstractAsyncContextManager[Any]
    if step.mode is CallMode.ASYNC_GEN:
        cm = asynccontextmanager(step.call)(**kwargs)
        stack.async_cleanup = True
    else:
        cm = contextmanager_in_threadpool(contextmanager(step.call)(**kwargs))
    if step.limit is not None:
        cm = _Limited(cm, step.limit.get_semaphore())
    return await stack.enter_async_context(cm)
