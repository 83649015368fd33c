"""Depends(max_concurrency=N): at most N requests run a declaration at once, cleanup included."""

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import httpx
import pytest

from veloxapi import Depends, VeloxAPI


class Gauge:
    """Counts how many holders are inside at once and the highest count seen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0

    def enter(self) -> None:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)

    def leave(self) -> None:
        with self.lock:
            self.active -= 1

    async def gather_at_least(self, count: int, timeout: float = 2.0) -> None:
        """Let ``count`` holders meet inside (bounded wait), so overlap doesn't hinge on timing."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.active < count and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.001)


async def fire(app: VeloxAPI, paths: list[str]) -> list[int]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        responses = await asyncio.gather(*(client.get(p) for p in paths))
    return [r.status_code for r in responses]


def limited_app(gauge: Gauge, limit: int | None, meet: int, wait: float = 2.0) -> VeloxAPI:
    async def guarded() -> AsyncIterator[None]:
        gauge.enter()
        try:
            await gauge.gather_at_least(meet, wait)
            yield
            await asyncio.sleep(0.02)  # still inside the limit during cleanup
        finally:
            gauge.leave()

    app = VeloxAPI()

    @app.get("/")
    async def endpoint(_: Annotated[None, Depends(guarded, max_concurrency=limit)]) -> str:
        return "ok"

    return app


def test_limit_of_one_serialises_the_dependency_including_cleanup() -> None:
    gauge = Gauge()
    statuses = asyncio.run(fire(limited_app(gauge, 1, meet=2, wait=0.05), ["/"] * 5))
    assert statuses == [200] * 5
    assert gauge.peak == 1
    assert gauge.active == 0


def test_limit_of_two_lets_two_in() -> None:
    gauge = Gauge()
    assert asyncio.run(fire(limited_app(gauge, 2, meet=2), ["/"] * 6)) == [200] * 6
    assert gauge.peak == 2


def test_without_a_limit_requests_overlap() -> None:
    gauge = Gauge()
    assert asyncio.run(fire(limited_app(gauge, None, meet=4), ["/"] * 4)) == [200] * 4
    assert gauge.peak == 4


def test_one_declaration_shared_by_two_routes_shares_its_limit() -> None:
    gauge = Gauge()

    def guarded() -> Iterator[None]:
        gauge.enter()
        try:
            threading.Event().wait(0.02)
            yield
        finally:
            gauge.leave()

    Guarded = Annotated[None, Depends(guarded, max_concurrency=1)]
    app = VeloxAPI()

    @app.get("/a")
    def a(_: Guarded) -> str:
        return "a"

    @app.get("/b")
    def b(_: Guarded) -> str:
        return "b"

    assert asyncio.run(fire(app, ["/a", "/b", "/a", "/b"])) == [200] * 4
    assert gauge.peak == 1


def test_limit_is_released_when_the_dependency_fails() -> None:
    from veloxapi import HTTPException

    calls: list[int] = []

    async def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise HTTPException(status_code=503, detail="busy")

    app = VeloxAPI()

    @app.get("/")
    async def endpoint(_: Annotated[None, Depends(flaky, max_concurrency=1)]) -> str:
        return "ok"

    async def sequential() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            first = await client.get("/")
            second = await asyncio.wait_for(client.get("/"), timeout=5)
        return [first.status_code, second.status_code]

    assert asyncio.run(sequential()) == [503, 200]


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2"])
def test_invalid_limit_is_rejected_when_declared(bad: object) -> None:
    def dep() -> None:
        return None  # pragma: no cover

    with pytest.raises(ValueError, match="max_concurrency must be a positive integer"):
        Depends(dep, max_concurrency=bad)  # type: ignore[arg-type]
