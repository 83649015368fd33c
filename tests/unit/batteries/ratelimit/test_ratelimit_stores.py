"""Both stores, against the same expectations; Redis is a real server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from veloxapi.batteries.ratelimit import (
    Algorithm,
    MemoryRateLimitStore,
    Rate,
    RateLimitStore,
    RedisRateLimitStore,
)

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[RateLimitStore]:
    built: RateLimitStore
    if request.param == "memory":
        built = MemoryRateLimitStore()
    else:
        url = request.getfixturevalue("redis_url")
        built = RedisRateLimitStore(url, prefix=request.getfixturevalue("redis_prefix"))
    yield built
    await built.aclose()


@pytest.mark.parametrize("algorithm", list(Algorithm))
async def test_exactly_limit_requests_pass(store: RateLimitStore, algorithm: Algorithm) -> None:
    rate = Rate(limit=5, period=3600)
    decisions = [await store.hit("k", rate, algorithm) for _ in range(8)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 3
    assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
    assert all(d.limit == 5 for d in decisions)
    denied = decisions[-1]
    assert denied.remaining == 0
    assert 0 < denied.retry_after <= 3600
    assert 0 < denied.reset <= 3600


@pytest.mark.parametrize("algorithm", list(Algorithm))
async def test_keys_are_independent(store: RateLimitStore, algorithm: Algorithm) -> None:
    rate = Rate(limit=1, period=3600)
    assert (await store.hit("a", rate, algorithm)).allowed
    assert not (await store.hit("a", rate, algorithm)).allowed
    assert (await store.hit("b", rate, algorithm)).allowed


@pytest.mark.parametrize("algorithm", list(Algorithm))
async def test_exact_under_concurrency(store: RateLimitStore, algorithm: Algorithm) -> None:
    rate = Rate(limit=20, period=3600)
    decisions = await asyncio.gather(*(store.hit("c", rate, algorithm) for _ in range(50)))
    assert sum(d.allowed for d in decisions) == 20
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(20))


async def test_window_passes(store: RateLimitStore) -> None:
    rate = Rate(limit=1, period=1)
    first = await store.hit("w", rate, Algorithm.SLIDING_WINDOW)
    assert first.allowed
    denied = await store.hit("w", rate, Algorithm.SLIDING_WINDOW)
    assert not denied.allowed
    await asyncio.sleep(denied.retry_after + 0.05)
    assert (await store.hit("w", rate, Algorithm.SLIDING_WINDOW)).allowed


async def test_fixed_window_passes_on_the_next_second(store: RateLimitStore) -> None:
    rate = Rate(limit=1, period=1)
    await asyncio.sleep(1.01 - time.time() % 1)  # both hits early in one calendar second
    assert (await store.hit("f", rate, Algorithm.FIXED_WINDOW)).allowed
    denied = await store.hit("f", rate, Algorithm.FIXED_WINDOW)
    assert not denied.allowed
    assert 0 < denied.reset <= 1
    await asyncio.sleep(denied.reset + 0.05)
    assert (await store.hit("f", rate, Algorithm.FIXED_WINDOW)).allowed


async def test_token_bucket_refills(store: RateLimitStore) -> None:
    rate = Rate(limit=2, period=1)  # one token every 0.5 s
    assert (await store.hit("t", rate, Algorithm.TOKEN_BUCKET)).allowed
    assert (await store.hit("t", rate, Algorithm.TOKEN_BUCKET)).allowed
    denied = await store.hit("t", rate, Algorithm.TOKEN_BUCKET)
    assert not denied.allowed
    assert 0 < denied.retry_after <= 0.5
    await asyncio.sleep(denied.retry_after + 0.05)
    assert (await store.hit("t", rate, Algorithm.TOKEN_BUCKET)).allowed


async def test_redis_store_uses_only_its_prefix(redis_url: str, redis_prefix: str) -> None:
    import redis.asyncio as redis

    store = RedisRateLimitStore(redis_url, prefix=redis_prefix)
    await store.hit("mine", Rate(limit=3, period=60), Algorithm.FIXED_WINDOW)
    client = redis.Redis.from_url(redis_url)
    keys = [key async for key in client.scan_iter(match=redis_prefix + "*")]
    await client.aclose()
    await store.aclose()
    assert keys == [(redis_prefix + "mine").encode()]


async def test_redis_store_reloads_flushed_scripts(redis_url: str, redis_prefix: str) -> None:
    import redis.asyncio as redis

    store = RedisRateLimitStore(redis_url, prefix=redis_prefix)
    rate = Rate(limit=2, period=60)
    assert (await store.hit("s", rate, Algorithm.FIXED_WINDOW)).allowed
    client = redis.Redis.from_url(redis_url)
    await client.script_flush()
    await client.aclose()
    assert (await store.hit("s", rate, Algorithm.FIXED_WINDOW)).remaining == 0
    await store.aclose()


def test_missing_redis_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    with pytest.raises(ImportError, match=r'pip install "veloxapi\[redis\]"'):
        RedisRateLimitStore("redis://127.0.0.1:6379/0")
