"""The process pool: results, errors with their type, cancellation, crashes, lifespan."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from offload_work import InvoiceError, describe, die, meet, refuse, sleep_then_mark, square

from veloxapi import VeloxAPI
from veloxapi.batteries import augment_app
from veloxapi.batteries.offload import OffloadSettings, ProcessPool, run_in_process
from veloxapi.batteries.settings import ConfigurationError
from veloxapi.testclient import TestClient

pytestmark = pytest.mark.anyio


def test_endpoint_runs_work_in_the_pool_started_with_the_app() -> None:
    app = VeloxAPI()
    augment_app(app, offload=OffloadSettings(processes=1))

    @app.get("/square/{value}")
    async def endpoint(value: int) -> dict[str, object]:
        return {
            "square": await run_in_process(square, value),
            "from": await run_in_process(describe, "x", greeting="hi"),
        }

    with TestClient(app) as client:
        body = client.get("/square/12").json()
    assert body["square"] == 144
    greeting, pid = body["from"].rsplit(" ", 1)
    assert greeting == "hi x from"
    assert int(pid) != os.getpid()


async def test_run_in_process_without_the_battery_says_how_to_install_it() -> None:
    with pytest.raises(RuntimeError, match=r"augment_app\(app, offload=True\)"):
        await run_in_process(square, 2)


async def test_exception_comes_back_with_its_type_and_the_worker_traceback() -> None:
    async with ProcessPool(OffloadSettings(processes=1)) as pool:
        with pytest.raises(InvoiceError, match="amount -5 is negative") as caught:
            await pool.run(refuse, -5)
    assert "refuse" in str(caught.value.__cause__)  # the worker's traceback


async def test_cancelled_call_not_started_yet_never_runs(tmp_path: Path) -> None:
    busy, queued = tmp_path / "busy", tmp_path / "queued"
    async with ProcessPool(OffloadSettings(processes=1)) as pool:
        first = asyncio.ensure_future(pool.run(sleep_then_mark, 0.5, str(busy)))
        second = asyncio.ensure_future(pool.run(sleep_then_mark, 0, str(queued)))
        await asyncio.sleep(0.1)
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second
        assert await first == str(busy)
        assert await pool.run(square, 3) == 9  # the pool goes on
    assert not queued.exists()


async def test_cancelled_caller_returns_at_once_while_started_work_finishes(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "running"
    async with ProcessPool(OffloadSettings(processes=1)) as pool:
        call = asyncio.ensure_future(pool.run(sleep_then_mark, 0.5, str(marker)))
        await asyncio.sleep(0.2)  # started in the worker by now
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert not marker.exists()  # the caller did not wait for it
        assert await pool.run(square, 4) == 16  # queued behind it: runs once it finished
        assert marker.read_text() == "done"


async def test_a_dead_worker_fails_its_call_and_the_pool_is_replaced() -> None:
    async with ProcessPool(OffloadSettings(processes=1)) as pool:
        with pytest.raises(BrokenProcessPool):
            await pool.run(die)
        assert await pool.run(square, 5) == 25


async def test_calls_run_at_the_same_time_on_several_processes(tmp_path: Path) -> None:
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    async with ProcessPool(OffloadSettings(processes=2)) as pool:
        met = await asyncio.gather(pool.run(meet, one, two), pool.run(meet, two, one))
    assert met == [True, True]


def test_pool_size_is_validated_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_OFFLOAD_PROCESSES", "0")
    with pytest.raises(ConfigurationError, match="VELOX_OFFLOAD_PROCESSES='0'"):
        augment_app(VeloxAPI(), offload=True)
