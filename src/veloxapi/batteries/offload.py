"""CPU offload: a process pool tied to the app's lifespan, and ``await run_in_process(...)``.

::

    app = VeloxAPI()
    augment_app(app, offload=True)         # VELOX_OFFLOAD_PROCESSES, ..._START_METHOD

    @app.post("/resize")
    async def resize(image: bytes = Body()) -> Response:
        return Response(await run_in_process(make_thumbnail, image))

Threads or processes? ``run_in_threadpool`` (and ``def`` endpoints) suit
*blocking I/O*: a thread waiting on a socket or a file releases the GIL, so
the event loop and other threads go on. *CPU-bound* Python code holds the GIL;
in a thread it slows every request of the process, in a process it runs on
another core. Processes cost more per call (arguments and result are pickled
and copied), so offload work of milliseconds or more, not microseconds.

Semantics of :func:`run_in_process`:

* the function and its arguments must be picklable: a module-level function
  (not a lambda or a closure), importable by the worker processes;
* an exception raised in the worker is raised in the caller with its own type
  (the worker's traceback is attached as ``__cause__``);
* at most one call per worker process is handed to the pool; further calls
  wait in the event loop (first come, first served);
* if the caller is cancelled (client gone, timeout) while its call waits, the
  call is withdrawn and never runs; if it is already running in a worker, the
  caller returns at once and the work runs to completion with its result
  dropped (a process cannot be interrupted safely mid-call). Its slot is
  freed only when the work ends, so cancelled work never oversubscribes the
  pool. Bound long jobs inside the function itself;
* if a worker process dies (killed, out of memory, crashed), the calls in
  flight raise ``BrokenProcessPool`` and the pool is replaced, so later calls
  work again;
* context variables (the request id, say) do not cross into the worker;
* it needs an asyncio event loop (uvicorn's); trio is not supported.

The pool starts with the ``spawn`` method by default: forking a process that
runs threads (uvicorn, anyio's thread pool, database drivers) can deadlock the
child. With several uvicorn workers, each has its own pool: size it as cores
divided by workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Literal, ParamSpec, TypeVar

import anyio.to_thread
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from veloxapi.batteries.settings import BatterySettings

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("veloxapi.offload")

__all__ = ["OffloadSettings", "ProcessPool", "install_offload", "run_in_process"]


class OffloadSettings(BatterySettings):
    """``VELOX_OFFLOAD_*``: the size and start method of the process pool."""

    model_config = SettingsConfigDict(env_prefix="VELOX_OFFLOAD_")

    processes: int | None = Field(default=None, ge=1, le=1024)
    """Worker processes; by default the number of CPUs this process may use."""
    start_method: Literal["spawn", "forkserver", "fork"] = "spawn"
    max_tasks_per_child: int | None = Field(default=None, ge=1)
    """Replace a worker after this many calls (bounds leaks in native code); spawn only."""
    prestart: bool = True
    """Start every worker at app start-up, so the first requests do not pay for it."""

    def pool_size(self) -> int:
        """The configured size, or the CPUs this process may run on."""
        if self.processes is not None:
            return self.processes
        if hasattr(os, "sched_getaffinity"):
            return len(os.sched_getaffinity(0))
        return os.cpu_count() or 1


class ProcessPool:
    """A ``ProcessPoolExecutor`` that is started, replaced when broken, and shut down."""

    def __init__(self, settings: OffloadSettings | None = None) -> None:
        self.settings = settings or OffloadSettings()
        self._executor: ProcessPoolExecutor | None = None
        self._slots = asyncio.Semaphore(self.settings.pool_size())
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._executor is not None

    def _new_executor(self) -> ProcessPoolExecutor:
        settings = self.settings
        extra: dict[str, Any] = {}
        if settings.max_tasks_per_child is not None:
            extra["max_tasks_per_child"] = settings.max_tasks_per_child
        return ProcessPoolExecutor(
            max_workers=settings.pool_size(),
            mp_context=multiprocessing.get_context(settings.start_method),
            **extra,
        )

    async def start(self) -> None:
        """Create the pool (and, with ``prestart``, its processes)."""
        with self._lock:
            if self._executor is None:
                self._executor = self._new_executor()
        if self.settings.prestart:
            size = self.settings.pool_size()
            await asyncio.gather(*(self.run(os.getpid) for _ in range(size)))
        logger.info("process pool started: %d processes", self.settings.pool_size())

    async def shutdown(self) -> None:
        """Withdraw calls not started, wait for running ones, stop the processes."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            await anyio.to_thread.run_sync(
                functools.partial(executor.shutdown, wait=True, cancel_futures=True)
            )

    async def __aenter__(self) -> ProcessPool:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.shutdown()

    def _submit(self, call: Callable[[], R]) -> tuple[ProcessPoolExecutor, Any]:
        executor = self._executor
        if executor is None:
            raise RuntimeError(
                "the process pool is not running: install it with augment_app(app, offload=True) "
                "(it starts with the app), or use `async with ProcessPool() as pool`"
            )
        return executor, executor.submit(call)

    async def run(self, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``func(*args, **kwargs)`` in a worker process; see the module docstring."""
        call = functools.partial(func, *args, **kwargs)
        await self._slots.acquire()  # cancelled here: nothing was submitted
        try:
            executor, future = self._submit(call)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(self._release_from(asyncio.get_running_loop()))
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self._replace(executor)
            raise

    def _release_from(self, loop: asyncio.AbstractEventLoop) -> Callable[[Any], None]:
        """A done-callback (run in the pool's thread) freeing the call's slot in ``loop``."""

        def release(_future: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed: no one waits on it
                loop.call_soon_threadsafe(self._slots.release)

        return release

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is not broken:
                return  # another caller replaced it already (or the pool was shut down)
            self._executor = self._new_executor()
        logger.error("a worker process of the pool died; the pool was replaced")
        broken.shutdown(wait=False, cancel_futures=True)


_current: ProcessPool | None = None


async def run_in_process(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run ``func`` in the app's process pool (see the module docstring for the semantics)."""
    if _current is None:
        raise RuntimeError(
            "run_in_process() needs the offload battery: augment_app(app, offload=True) "
            "starts its process pool with the app"
        )
    return await _current.run(func, *args, **kwargs)


def install_offload(app: Any, settings: OffloadSettings) -> ProcessPool:
    """Start a process pool with ``app`` and shut it down with it; ``run_in_process`` uses it."""
    pool = ProcessPool(settings)

    async def start() -> None:
        global _current
        await pool.start()
        _current = pool

    async def stop() -> None:
        global _current
        if _current is pool:
            _current = None
        await pool.shutdown()

    app.add_event_handler("startup", start)
    app.add_event_handler("shutdown", stop)
    return pool
