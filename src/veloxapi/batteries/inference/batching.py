"""Micro-batching: concurrent calls of one function gathered into one batched call.

::

    @batched(max_batch_size=32, max_wait_ms=5)
    def predict(rows: list[list[float]]) -> list[int]:
        return model.predict(np.array(rows)).tolist()

    @app.post("/predict")
    async def endpoint(features: Features) -> dict[str, int]:
        return {"label": await predict(features.values)}     # one row in, one result out

How a batch forms: a call waits at most ``max_wait_ms`` (from its arrival)
for others to join; a batch closes early when it reaches ``max_batch_size``. While
``max_concurrent_batches`` batches run, new calls queue up and form the next,
larger batch: under load batches grow, when idle a call waits ``max_wait_ms`` at
most. The batch runs off the event loop: in a thread (``run_in="thread"``, for
libraries that release the GIL: numpy, scikit-learn, PyTorch), in the offload
battery's process pool (``"process"``), or, for an ``async def`` batch function,
on the loop itself.

Results and errors, item by item:

* the batch function returns one result per item, in order; a result that is
  an exception instance fails only that item's caller;
* if the batch function raises, the batch is split in halves and each half
  retried, down to single items (``on_batch_error="split"``): a poison item
  fails alone and the others still get their answers, at the price of about
  2·log2(n) extra calls. ``"fail"`` fails every caller of the batch at once
  (for errors that are never item-specific, e.g. a model server down);
* a caller cancelled before its batch runs is left out of it; one cancelled
  while its batch runs just does not receive its result. Others are unaffected.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import inspect
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import anyio.to_thread

from veloxapi.batteries.settings import ConfigurationError

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["BatchedFunction", "batched"]

RunIn = Literal["thread", "process"]
OnBatchError = Literal["split", "fail"]
BatchFunction = Callable[[list[T]], Sequence[R | BaseException]]


@dataclass(frozen=True)
class BatchPolicy:
    """How batches of one function are formed and run."""

    max_batch_size: int
    max_wait_ms: float
    run_in: RunIn
    on_batch_error: OnBatchError
    max_concurrent_batches: int

    def problems(self, where: str) -> list[str]:
        found = []
        if self.max_batch_size < 1:
            found.append(f"{where}: max_batch_size={self.max_batch_size!r} must be 1 or more")
        if self.max_wait_ms < 0:
            found.append(f"{where}: max_wait_ms={self.max_wait_ms!r} must be 0 or more")
        if self.run_in not in ("thread", "process"):
            found.append(f"{where}: run_in={self.run_in!r} must be 'thread' or 'process'")
        if self.on_batch_error not in ("split", "fail"):
            found.append(
                f"{where}: on_batch_error={self.on_batch_error!r} must be 'split' or 'fail'"
            )
        if self.max_concurrent_batches < 1:
            found.append(
                f"{where}: max_concurrent_batches={self.max_concurrent_batches!r} must be 1 or more"
            )
        return found


def call_batch_by_name(module: str, qualname: str, items: list[Any]) -> Sequence[Any]:
    """In a worker process: find the batched function by name and run its batch function."""
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target.batch_fn(items)  # type: ignore[no-any-return]


class BatchedFunction(Generic[T, R]):
    """``await f(item)``: one item in, its result out, computed in a batch with others."""

    def __init__(self, batch_fn: BatchFunction[T, R], policy: BatchPolicy) -> None:
        self.batch_fn = batch_fn
        self.policy = policy
        self.batches = 0
        """Batch calls made so far (splits included)."""
        self.items = 0
        """Items processed so far; ``items / batches`` is the mean batch size."""
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _BatchQueue[T, R]] = (
            weakref.WeakKeyDictionary()
        )
        functools.update_wrapper(self, batch_fn)

    async def __call__(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _BatchQueue(self, loop)
        return await queue.submit(item)

    async def run_batch(self, items: list[T]) -> Sequence[R | BaseException]:
        """Call the batch function once, off the event loop as the policy says."""
        self.batches += 1
        self.items += len(items)
        if inspect.iscoroutinefunction(self.batch_fn):
            return await self.batch_fn(items)  # type: ignore[no-any-return]
        if self.policy.run_in == "process":
            from veloxapi.batteries.offload import run_in_process

            name = (self.batch_fn.__module__, self.batch_fn.__qualname__)
            return await run_in_process(call_batch_by_name, *name, items)
        return await anyio.to_thread.run_sync(self.batch_fn, items)


class _BatchQueue(Generic[T, R]):
    """The calls waiting for a batch in one event loop, and the task that forms batches."""

    def __init__(self, owner: BatchedFunction[T, R], loop: asyncio.AbstractEventLoop) -> None:
        self.owner = owner
        self.loop = loop
        self.pending: deque[tuple[T, asyncio.Future[R], float]] = deque()
        """Calls waiting for a batch: item, the caller's future, arrival time."""
        self.arrived = asyncio.Event()
        self.slots = asyncio.Semaphore(owner.policy.max_concurrent_batches)
        self.former: asyncio.Task[None] | None = None
        self.running: set[asyncio.Task[None]] = set()

    def submit(self, item: T) -> Awaitable[R]:
        future: asyncio.Future[R] = self.loop.create_future()
        self.pending.append((item, future, self.loop.time()))
        self.arrived.set()
        if self.former is None:
            self.former = self.loop.create_task(self._form_batches())
        return future

    def _live(self) -> int:
        while self.pending and self.pending[0][1].done():
            self.pending.popleft()  # cancelled before its batch: left out
        return sum(not future.done() for _, future, _ in self.pending)

    async def _form_batches(self) -> None:
        policy = self.owner.policy
        try:
            while self._live():
                await self.slots.acquire()
                await self._wait_for_more(policy.max_batch_size, policy.max_wait_ms / 1000)
                batch = self._take(policy.max_batch_size)
                if not batch:
                    self.slots.release()
                    continue
                task = self.loop.create_task(self._run(batch))
                self.running.add(task)
                task.add_done_callback(self.running.discard)
        finally:
            self.former = None

    async def _wait_for_more(self, size: int, wait: float) -> None:
        """Until ``size`` calls wait or the oldest has waited ``wait`` seconds."""
        while 0 < self._live() < size:
            deadline = self.pending[0][2] + wait  # the oldest live call's arrival
            remaining = deadline - self.loop.time()
            if remaining <= 0:
                return
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), remaining)
            except TimeoutError:
                return

    def _take(self, size: int) -> list[tuple[T, asyncio.Future[R]]]:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        while self.pending and len(batch) < size:
            item, future, _ = self.pending.popleft()
            if not future.done():
                batch.append((item, future))
        return batch

    async def _run(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            await self._settle(batch)
        except BaseException:  # cancelled (loop shutting down): no caller is left hanging
            for _, future in batch:
                future.cancel()
            raise
        finally:
            self.slots.release()

    async def _settle(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        owner = self.owner
        try:
            results = await owner.run_batch([item for item, _ in batch])
        except Exception as exc:
            if owner.policy.on_batch_error == "split" and len(batch) > 1:
                middle = len(batch) // 2
                await self._settle(batch[:middle])
                await self._settle(batch[middle:])
            else:
                _fail(batch, exc)
            return
        if len(results) != len(batch):
            _fail(batch, _count_mismatch(owner, len(batch), len(results)))
            return
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue  # its caller was cancelled
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)


def _fail(batch: list[tuple[Any, asyncio.Future[Any]]], exc: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(exc)


def _count_mismatch(owner: BatchedFunction[Any, Any], sent: int, got: int) -> TypeError:
    name = getattr(owner.batch_fn, "__qualname__", repr(owner.batch_fn))
    return TypeError(
        f"batch function {name} returned {got} results for {sent} items; it must return "
        "one result (or exception instance) per item, in the same order"
    )


def batched(
    *,
    max_batch_size: int = 32,
    max_wait_ms: float = 5.0,
    run_in: RunIn = "thread",
    on_batch_error: OnBatchError = "split",
    max_concurrent_batches: int = 1,
) -> Callable[[BatchFunction[T, R]], BatchedFunction[T, R]]:
    """Turn ``fn(items) -> results`` into ``await f(item) -> result``; see the module docstring."""
    policy = BatchPolicy(
        max_batch_size, max_wait_ms, run_in, on_batch_error, max_concurrent_batches
    )

    def decorate(fn: BatchFunction[T, R]) -> BatchedFunction[T, R]:
        problems = policy.problems(f"@batched on {getattr(fn, '__qualname__', fn)!r}")
        if problems:
            raise ConfigurationError(problems)
        return BatchedFunction(fn, policy)

    return decorate
