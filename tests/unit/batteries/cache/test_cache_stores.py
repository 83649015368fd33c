"""Both cache stores against the same expectations; Redis is a real server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from veloxapi.batteries.cache import CacheStore, MemoryCacheStore, RedisCacheStore

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[CacheStore]:
    built: CacheStore
    if request.param == "memory":
        built = MemoryCacheStore(max_entries=100)
    else:
        url = request.getfixturevalue("redis_url")
        built = RedisCacheStore(url, prefix=request.getfixturevalue("redis_prefix"))
    yield built
    await built.aclose()


async def test_set_get_and_expiry(store: CacheStore) -> None:
    await store.set("a", b"\x00body\n", ttl=0.3)
    assert await store.get("a") == b"\x00body\n"
    assert await store.get("missing") is None
    await asyncio.sleep(0.4)
    assert await store.get("a") is None


async def test_delete_prefix_treats_glob_characters_literally(store: CacheStore) -> None:
    for key in ("GET:/items/1?", "GET:/items/2?a=1", "GET:/items*?", "GET:/users/1?"):
        await store.set(key, b"x", ttl=60)
    assert await store.delete_prefix("GET:/items*") == 1
    assert await store.delete_prefix("GET:/items/") == 2
    assert await store.get("GET:/users/1?") == b"x"
    assert await store.get("GET:/items/1?") is None


async def test_delete_tag(store: CacheStore) -> None:
    await store.set("one", b"1", ttl=60, tags=["items", "item:1"])
    await store.set("two", b"2", ttl=60, tags=["items"])
    await store.set("three", b"3", ttl=60)
    assert await store.delete_tag("item:1") == 1
    assert await store.get("one") is None
    assert await store.delete_tag("items") == 1
    assert await store.get("two") is None
    assert await store.get("three") == b"3"
    assert await store.delete_tag("never-used") == 0


async def test_memory_store_evicts_least_recently_used() -> None:
    store = MemoryCacheStore(max_entries=2)
    await store.set("a", b"a", ttl=60)
    await store.set("b", b"b", ttl=60)
    await store.get("a")
    await store.set("c", b"c", ttl=60)
    assert await store.get("b") is None
    assert await store.get("a") == b"a"
    assert await store.get("c") == b"c"
