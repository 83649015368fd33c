"""Micro-batching semantics: grouping, ordering, per-item errors, splitting, cancellation."""

from __future__ import annotations

import asyncio
import threading

import pytest

from veloxapi.batteries.inference import batched
from veloxapi.batteries.settings import ConfigurationError

pytestmark = pytest.mark.anyio


async def test_concurrent_calls_share_one_batch_and_each_gets_its_own_result() -> None:
    seen: list[list[int]] = []

    @batched(max_batch_size=8, max_wait_ms=50)
    def double(items: list[int]) -> list[int]:
        seen.append(list(items))
        return [item * 2 for item in items]

    results = await asyncio.gather(*(double(i) for i in range(5)))
    assert results == [0, 2, 4, 6, 8]
    assert seen == [[0, 1, 2, 3, 4]]
    assert (double.batches, double.items) == (1, 5)


async def test_batches_close_at_max_batch_size_and_keep_arrival_order() -> None:
    seen: list[list[int]] = []

    @batched(max_batch_size=3, max_wait_ms=1000)
    def echo(items: list[int]) -> list[int]:
        seen.append(list(items))
        return list(items)

    results = await asyncio.gather(*(echo(i) for i in range(7)))
    assert results == list(range(7))
    assert seen == [[0, 1, 2], [3, 4, 5], [6]]


async def test_batch_runs_off_the_event_loop_thread() -> None:
    threads: list[int] = []

    @batched(max_batch_size=4, max_wait_ms=1)
    def where(items: list[int]) -> list[int]:
        threads.append(threading.get_ident())
        return items

    await asyncio.gather(where(1), where(2))
    assert threads and threading.get_ident() not in threads


async def test_an_exception_returned_for_one_item_fails_only_that_caller() -> None:
    @batched(max_batch_size=8, max_wait_ms=20)
    def invert(items: list[float]) -> list[float | BaseException]:
        return [ZeroDivisionError("zero") if x == 0 else 1 / x for x in items]

    results = await asyncio.gather(*(invert(x) for x in (1.0, 0.0, 4.0)), return_exceptions=True)
    assert results[0] == 1.0 and results[2] == 0.25
    assert isinstance(results[1], ZeroDivisionError)


async def test_a_raising_batch_is_split_until_the_poison_item_fails_alone() -> None:
    calls: list[list[int]] = []

    @batched(max_batch_size=8, max_wait_ms=20)
    def strict(items: list[int]) -> list[int]:
        calls.append(list(items))
        if 13 in items:
            raise ValueError("13 is not allowed")
        return [item + 1 for item in items]

    values = [1, 2, 13, 4]
    results = await asyncio.gather(*(strict(v) for v in values), return_exceptions=True)
    assert results[:2] == [2, 3] and results[3] == 5
    assert isinstance(results[2], ValueError)
    assert calls[0] == values  # the whole batch first
    assert [13] in calls  # then narrowed down to the poison item


async def test_on_batch_error_fail_fails_every_caller_with_one_call() -> None:
    calls: list[list[int]] = []

    @batched(max_batch_size=8, max_wait_ms=20, on_batch_error="fail")
    def down(items: list[int]) -> list[int]:
        calls.append(list(items))
        raise ConnectionError("model server down")

    results = await asyncio.gather(*(down(v) for v in range(3)), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    assert calls == [[0, 1, 2]]


async def test_wrong_number_of_results_is_reported_to_every_caller() -> None:
    @batched(max_batch_size=8, max_wait_ms=20)
    def short(items: list[int]) -> list[int]:
        return items[:1]

    results = await asyncio.gather(short(1), short(2), return_exceptions=True)
    assert all(isinstance(r, TypeError) and "2 items" in str(r) for r in results)


async def test_a_caller_cancelled_while_waiting_is_left_out_of_the_batch() -> None:
    seen: list[list[str]] = []

    @batched(max_batch_size=8, max_wait_ms=100)
    def echo(items: list[str]) -> list[str]:
        seen.append(list(items))
        return items

    keep = asyncio.ensure_future(echo("keep"))
    drop = asyncio.ensure_future(echo("drop"))
    await asyncio.sleep(0.01)
    drop.cancel()
    assert await keep == "keep"
    assert drop.cancelled()
    assert seen == [["keep"]]


async def test_a_caller_cancelled_while_its_batch_runs_does_not_break_the_others() -> None:
    started = threading.Event()
    proceed = threading.Event()

    @batched(max_batch_size=8, max_wait_ms=20)
    def slow(items: list[int]) -> list[int]:
        started.set()
        proceed.wait(5)
        return [item * 10 for item in items]

    calls = [asyncio.ensure_future(slow(i)) for i in range(3)]
    while not started.is_set():
        await asyncio.sleep(0.005)
    calls[1].cancel()
    proceed.set()
    assert await calls[0] == 0
    assert await calls[2] == 20
    assert calls[1].cancelled()
    assert await slow(5) == 50  # and the next batch still runs


async def test_async_batch_functions_run_on_the_loop() -> None:
    @batched(max_batch_size=4, max_wait_ms=5)
    async def add_one(items: list[int]) -> list[int]:
        await asyncio.sleep(0)
        return [item + 1 for item in items]

    assert await asyncio.gather(add_one(1), add_one(2)) == [2, 3]


async def test_load_makes_batches_grow_while_one_runs() -> None:
    sizes: list[int] = []
    release = threading.Event()

    @batched(max_batch_size=16, max_wait_ms=0)
    def held(items: list[int]) -> list[int]:
        sizes.append(len(items))
        release.wait(5)
        return items

    first = asyncio.ensure_future(held(0))
    await asyncio.sleep(0.02)
    rest = [asyncio.ensure_future(held(i)) for i in range(1, 6)]
    await asyncio.sleep(0.02)
    release.set()
    assert await first == 0
    assert await asyncio.gather(*rest) == [1, 2, 3, 4, 5]
    assert sizes == [1, 5]


def test_bad_policy_is_reported_at_decoration_with_every_problem() -> None:
    with pytest.raises(ConfigurationError) as caught:

        @batched(max_batch_size=0, max_wait_ms=-1, max_concurrent_batches=0)
        def nothing(items: list[int]) -> list[int]:
            return items

    text = str(caught.value)
    assert "max_batch_size=0" in text and "max_wait_ms=-1" in text
    assert "max_concurrent_batches=0" in text


async def test_calls_that_waited_through_a_running_batch_do_not_wait_again() -> None:
    sizes: list[int] = []
    release = threading.Event()

    @batched(max_batch_size=32, max_wait_ms=300)
    def held(items: list[int]) -> list[int]:
        sizes.append(len(items))
        release.wait(5)
        return items

    first = asyncio.ensure_future(held(0))
    await asyncio.sleep(0.35)  # its wait is over: the batch of one runs and holds
    rest = [asyncio.ensure_future(held(i)) for i in (1, 2)]
    await asyncio.sleep(0.35)  # 1 and 2 have now waited their max_wait_ms too
    release.set()
    assert await first == 0
    await asyncio.sleep(0.05)
    late = asyncio.ensure_future(held(3))  # too late for the batch of 1 and 2, formed at once
    assert await asyncio.gather(*rest, late) == [1, 2, 3]
    assert sizes == [1, 2, 1]
