"""contextmanager_in_threadpool: sync context managers used from async code."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from types import TracebackType

import anyio
import anyio.to_thread
import pytest

from veloxapi.concurrency import contextmanager_in_threadpool, run_in_threadpool

pytestmark = pytest.mark.anyio

ExitArgs = tuple[type[BaseException] | None, BaseException | None, TracebackType | None]


class Tracked(AbstractContextManager[str]):
    """Records the threads it runs in and what ``__exit__`` receives."""

    def __init__(
        self, *, fail_enter: bool = False, fail_exit: bool = False, swallow: bool = False
    ) -> None:
        self.fail_enter = fail_enter
        self.fail_exit = fail_exit
        self.swallow = swallow
        self.threads: list[int] = []
        self.exits: list[ExitArgs] = []

    def __enter__(self) -> str:
        self.threads.append(threading.get_ident())
        if self.fail_enter:
            raise LookupError("enter failed")
        return "resource"

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        self.threads.append(threading.get_ident())
        self.exits.append((exc_type, exc, tb))
        if self.fail_exit:
            raise OSError("exit failed")
        return self.swallow


async def test_enter_and_exit_run_in_worker_threads() -> None:
    cm = Tracked()
    async with contextmanager_in_threadpool(cm) as value:
        assert value == "resource"
    assert cm.exits == [(None, None, None)]
    assert len(cm.threads) == 2
    assert threading.get_ident() not in cm.threads


async def test_failed_enter_propagates_and_skips_exit() -> None:
    cm = Tracked(fail_enter=True)
    with pytest.raises(LookupError, match="enter failed"):
        async with contextmanager_in_threadpool(cm):
            pytest.fail("body must not run")
    assert cm.exits == []


async def test_body_error_reaches_exit_and_propagates() -> None:
    cm = Tracked()
    error = KeyError("body")
    with pytest.raises(KeyError) as caught:
        async with contextmanager_in_threadpool(cm):
            raise error
    assert caught.value is error
    exc_type, exc, tb = cm.exits[0]
    assert (exc_type, exc) == (KeyError, error)
    assert tb is not None


async def test_exit_can_swallow_the_body_error() -> None:
    cm = Tracked(swallow=True)
    async with contextmanager_in_threadpool(cm):
        raise KeyError("swallowed")
    assert cm.exits[0][0] is KeyError


async def test_exit_error_propagates_chained_to_the_body_error() -> None:
    cm = Tracked(fail_exit=True)
    with pytest.raises(OSError, match="exit failed") as caught:
        async with contextmanager_in_threadpool(cm):
            raise KeyError("body")
    assert isinstance(caught.value.__context__, KeyError)


async def test_cancelled_body_still_exits_with_the_cancellation() -> None:
    cm = Tracked()
    with anyio.CancelScope() as scope:
        async with contextmanager_in_threadpool(cm):
            scope.cancel()
            await anyio.sleep(0)
    assert scope.cancelled_caught
    assert isinstance(cm.exits[0][1], anyio.get_cancelled_exc_class())


async def test_exit_does_not_wait_for_the_busy_default_threadpool() -> None:
    cm = Tracked()
    limiter = anyio.to_thread.current_default_thread_limiter()
    saved_tokens = limiter.total_tokens
    limiter.total_tokens = 1
    try:
        with anyio.fail_after(5):
            async with contextmanager_in_threadpool(cm):
                await limiter.acquire()
        limiter.release()
    finally:
        limiter.total_tokens = saved_tokens
    assert cm.exits == [(None, None, None)]


async def test_run_in_threadpool_runs_off_the_event_loop() -> None:
    ident = await run_in_threadpool(threading.get_ident)
    assert ident != threading.get_ident()
