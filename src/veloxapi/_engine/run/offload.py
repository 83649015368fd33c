"""Run a ``def`` endpoint or dependency in a worker thread, at a fraction of anyio's cost.

Worker threads wait on one queue; a job's result comes back to the event loop with
``loop.call_soon_threadsafe`` into a future. What ``anyio.to_thread.run_sync`` gives
FastAPI users is kept:

* the call runs in a copy of the caller's ``contextvars`` context;
* anyio's default thread limiter bounds how many calls run at once (users tune its
  ``total_tokens``);
* a cancelled caller waits for its call to finish before the cancellation goes on, so
  no thread outlives the request it works for;
* ``anyio.from_thread.run`` and ``run_sync`` work inside the call: the worker carries
  the loop's ``anyio.lowlevel.current_token()`` where anyio's own workers keep it.

Off asyncio (an app served under trio), calls go through ``anyio.to_thread.run_sync``.

A :class:`Chain` is several calls in one hop (one thread, one limiter token), each in
its own copy of the context as separate hops would make them; a cancelled caller stops
it before its next call.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Callable
from contextvars import Context, copy_context
from queue import Empty, SimpleQueue
from typing import Any, TypeVar

import anyio
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread

# anyio's worker threads keep the loop's token here; ``anyio.from_thread`` reads it
from anyio._core._eventloop import threadlocals as _anyio_thread

_T = TypeVar("_T")
_IDLE_SECONDS = 10.0  # a worker with nothing to do for this long ends (anyio's figure)


class Chain:
    """Calls one worker thread makes one after another (see ``run.solve``).

    A subclass's ``__call__`` makes the calls, each in its own ``copy_context()``, and
    returns early once ``stopped()``: the caller was cancelled (the call running then is
    waited for, as a cancelled hop's call is, but no further call starts).
    """

    __slots__ = ("_cancelled", "_in_anyio_thread")

    def __init__(self) -> None:
        self._cancelled = False
        self._in_anyio_thread = False  # off asyncio: anyio's worker, which can ask the host

    def __call__(self) -> None:
        raise NotImplementedError

    def stopped(self) -> bool:
        if self._in_anyio_thread:
            try:
                anyio.from_thread.check_cancelled()
            except BaseException:  # the backend's cancellation, raised here to be polled
                return True
        return self._cancelled

    def cancel(self) -> None:
        self._cancelled = True


class _Job:
    __slots__ = ("call", "context", "done", "future", "loop", "token", "waiter")

    def __init__(
        self,
        call: Callable[[], Any],
        loop: asyncio.AbstractEventLoop,
        token: anyio.lowlevel.EventLoopToken,
    ) -> None:
        self.call = call
        self.context: Context = copy_context()
        self.loop = loop
        self.token = token
        self.future: asyncio.Future[Any] = loop.create_future()
        self.done = False
        self.waiter: asyncio.Future[None] | None = None


class _Workers:
    """Threads fed by one queue; a new one starts only when none is idle."""

    def __init__(self) -> None:
        self.queue: SimpleQueue[_Job] = SimpleQueue()
        self.lock = threading.Lock()
        self.idle = 0  # waiting workers not yet promised to a queued job

    def submit(self, job: _Job) -> None:
        with self.lock:
            start = self.idle == 0
            if not start:
                self.idle -= 1
        self.queue.put(job)
        if start:
            threading.Thread(target=self._work, name="veloxapi-worker", daemon=True).start()

    def _work(self) -> None:
        queue = self.queue
        while True:
            try:
                job = queue.get(timeout=_IDLE_SECONDS)
            except Empty:
                with self.lock:
                    if self.idle:  # no queued job counts on this worker: it may go
                        self.idle -= 1
                        return
                continue
            _anyio_thread.current_token = job.token
            _anyio_thread.current_cancel_scope = None
            result: Any = None
            error: BaseException | None = None
            try:
                result = job.context.run(job.call)
            except BaseException as exc:  # handed to the caller, which re-raises it
                error = exc
            del _anyio_thread.current_token, _anyio_thread.current_cancel_scope
            with self.lock:  # idle before the caller resumes: its next job reuses this thread
                self.idle += 1
            with contextlib.suppress(RuntimeError):  # a loop closed meanwhile: nobody waits
                job.loop.call_soon_threadsafe(_deliver, job, result, error)
            del job, result, error


def _deliver(job: _Job, result: Any, error: BaseException | None) -> None:
    job.done = True
    future = job.future
    if not future.cancelled():
        if error is None:
            future.set_result(result)
        elif isinstance(error, StopIteration):  # a future refuses StopIteration
            wrapped = RuntimeError("the function raised StopIteration")
            wrapped.__cause__ = error
            future.set_exception(wrapped)
        else:
            future.set_exception(error)
    waiter = job.waiter
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


_workers = _Workers()
# the last loop seen, with its anyio token and default thread limiter (both per loop)
_loop_state: tuple[asyncio.AbstractEventLoop | None, anyio.lowlevel.EventLoopToken | None, Any] = (
    None,
    None,
    None,
)


async def run_sync(func: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
    """``func(*args, **kwargs)`` in a worker thread, awaited."""
    call = functools.partial(func, *args, **kwargs) if args or kwargs else func
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not on asyncio
        if isinstance(call, Chain):
            call._in_anyio_thread = True
        return await anyio.to_thread.run_sync(call)
    global _loop_state
    seen, token, limiter = _loop_state
    if loop is not seen:
        token = anyio.lowlevel.current_token()
        limiter = anyio.to_thread.current_default_thread_limiter()
        _loop_state = (loop, token, limiter)
    assert token is not None
    job = _Job(call, loop, token)
    try:
        limiter.acquire_on_behalf_of_nowait(job)
    except anyio.WouldBlock:
        await limiter.acquire_on_behalf_of(job)
    try:
        _workers.submit(job)
        try:
            result: _T = await job.future
        except asyncio.CancelledError:
            if isinstance(call, Chain):
                call.cancel()
            await _finish(job)
            raise
        return result
    finally:
        limiter.release_on_behalf_of(job)


async def _finish(job: _Job) -> None:
    """Wait, shielded, until the cancelled job's call has returned in its thread."""
    with anyio.CancelScope(shield=True):
        while not job.done:
            job.waiter = job.loop.create_future()
            try:
                await job.waiter
            except asyncio.CancelledError:  # a plain asyncio cancel: keep waiting
                continue
