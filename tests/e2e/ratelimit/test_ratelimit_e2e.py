"""Rate limits over real HTTP: uvicorn with 2 worker processes sharing one Redis."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import pytest

ServerFactory = Callable[[str, dict[str, str], int], str]

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def server(redis_prefix: str, uvicorn_server: ServerFactory) -> str:
    env = {"VELOX_RATELIMIT_BACKEND": "redis", "VELOX_RATELIMIT_KEY_PREFIX": redis_prefix}
    return uvicorn_server("ratelimit_app", env, 2)


def wait_clear_of_hour_boundary() -> None:
    """A fixed window resets on the hour; keep the burst inside one window."""
    left = 3600 - time.time() % 3600
    if left < 15:
        time.sleep(left + 0.5)


async def burst(url: str, count: int) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        return await asyncio.gather(*(client.get(url) for _ in range(count)))


@pytest.mark.parametrize("route", ["/fixed", "/sliding", "/bucket"])
async def test_exact_under_50_concurrent_requests_from_two_workers(server: str, route: str) -> None:
    wait_clear_of_hour_boundary()
    responses = await burst(server + route, 50)
    ok = [r for r in responses if r.status_code == 200]
    limited = [r for r in responses if r.status_code == 429]
    assert (len(ok), len(limited)) == (20, 30)
    assert sorted(int(r.headers["ratelimit-remaining"]) for r in ok) == list(range(20))
    for response in limited:
        assert response.headers["ratelimit-limit"] == "20"
        assert response.headers["ratelimit-remaining"] == "0"
        assert int(response.headers["retry-after"]) >= 1
        assert int(response.headers["ratelimit-reset"]) >= 1
        assert response.json()["code"] == "rate_limited"


async def test_router_policy_shares_one_named_budget(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as client:
        statuses = [
            (await client.get(path)).status_code for path in ["/orders/a"] * 2 + ["/orders/b"] * 2
        ]
    assert statuses == [200, 200, 200, 429]


async def test_api_keys_are_counted_apart(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as client:
        alpha = [
            (await client.get("/per-key", headers={"X-API-Key": "alpha"})).status_code
            for _ in range(3)
        ]
        beta = (await client.get("/per-key", headers={"X-API-Key": "beta"})).status_code
    assert alpha == [200, 200, 429]
    assert beta == 200


async def test_unlimited_routes_carry_no_headers(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as client:
        response = await client.get("/pid")
    assert response.status_code == 200
    assert "ratelimit-limit" not in response.headers
