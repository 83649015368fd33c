"""Load shedding: a bound on in flight plus waiting, 503 with Retry-After beyond it."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client import CollectorRegistry

from veloxapi import Depends, VeloxAPI
from veloxapi.batteries.inference import LoadShedder
from veloxapi.batteries.settings import ConfigurationError

pytestmark = pytest.mark.anyio


def held_app(shedder: LoadShedder) -> tuple[VeloxAPI, asyncio.Event, list[int]]:
    """An app whose /work requests hold until the event is set; records who ran, in order."""
    app = VeloxAPI()
    gate = asyncio.Event()
    ran: list[int] = []

    @app.get("/work/{n}", dependencies=[Depends(shedder)])
    async def work(n: int) -> dict[str, int]:
        ran.append(n)
        await gate.wait()
        return {"n": n}

    return app, gate, ran


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.005)


async def test_requests_beyond_in_flight_plus_waiting_get_503_at_once() -> None:
    registry = CollectorRegistry()
    shedder = LoadShedder("work", max_in_flight=2, max_waiting=1, retry_after=3, registry=registry)
    app, gate, ran = held_app(shedder)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        held = [asyncio.ensure_future(client.get(f"/work/{n}")) for n in range(3)]
        await settle()
        assert (shedder.in_flight, shedder.waiting) == (2, 1)
        rejected = await client.get("/work/9")  # answered while the others still hold
        assert rejected.status_code == 503
        assert rejected.headers["retry-after"] == "3"
        assert "work" in rejected.json()["detail"]

        labels = {"route": "work"}
        assert registry.get_sample_value("velox_load_in_flight", labels) == 2
        assert registry.get_sample_value("velox_load_waiting", labels) == 1
        assert registry.get_sample_value("velox_load_shed_total", labels) == 1
        limit = {"route": "work", "kind": "in_flight"}
        assert registry.get_sample_value("velox_load_limit", limit) == 2

        gate.set()
        responses = await asyncio.gather(*held)
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert ran == [0, 1, 2]  # the waiter ran after the first two: first come, first served
    assert (shedder.in_flight, shedder.waiting) == (0, 0)
    assert registry.get_sample_value("velox_load_in_flight", labels) == 0


async def test_a_waiter_that_waits_too_long_gets_503() -> None:
    shedder = LoadShedder("slow", max_in_flight=1, max_waiting=5, max_wait_seconds=0.05)
    app, gate, _ = held_app(shedder)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        first = asyncio.ensure_future(client.get("/work/1"))
        await settle()
        timed_out = await client.get("/work/2")
        assert timed_out.status_code == 503
        assert shedder.waiting == 0
        gate.set()
        assert (await first).status_code == 200
    assert shedder.in_flight == 0


async def test_a_cancelled_waiter_gives_its_place_back() -> None:
    shedder = LoadShedder("cancel", max_in_flight=1, max_waiting=1)
    await shedder.acquire()
    waiting = asyncio.ensure_future(shedder.acquire())
    await settle()
    assert shedder.waiting == 1
    waiting.cancel()
    await settle()
    assert shedder.waiting == 0
    shedder.release()
    assert shedder.in_flight == 0


async def test_an_error_in_the_endpoint_frees_the_slot() -> None:
    shedder = LoadShedder("boom", max_in_flight=1)
    app = VeloxAPI()

    @app.get("/boom", dependencies=[Depends(shedder)])
    async def boom() -> None:
        raise RuntimeError("broken")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/boom")).status_code == 500
        assert (await client.get("/boom")).status_code == 500  # not 503: the slot came back
    assert shedder.in_flight == 0


def test_bad_bounds_are_reported_at_construction() -> None:
    with pytest.raises(ConfigurationError) as caught:
        LoadShedder("x", max_in_flight=0, max_waiting=-1, retry_after=-2)
    text = str(caught.value)
    assert "max_in_flight=0" in text and "max_waiting=-1" in text and "retry_after=-2" in text
