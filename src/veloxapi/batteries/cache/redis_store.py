"""Cached responses in Redis, shared by every worker (``pip install "veloxapi[redis]"``).

Entries live under ``<prefix>e:<key>`` with a millisecond TTL; each tag is a set
``<prefix>t:<tag>`` of entry keys that lives as long as its longest entry.
Storing an entry with its tags, and deleting a tag with its entries, are each
one Lua script, so readers never see half of either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from veloxapi.batteries._stores import RedisConnection

# KEYS[1] = entry, KEYS[2..] = tag sets; ARGV[1] = value, ARGV[2] = ttl (ms)
_SET = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[2]) then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
  end
end
"""

# KEYS[1] = tag set
_DELETE_TAG = """
local members = redis.call('SMEMBERS', KEYS[1])
local deleted = 0
for i = 1, #members, 500 do
  deleted = deleted + redis.call('DEL', unpack(members, i, math.min(i + 499, #members)))
end
redis.call('DEL', KEYS[1])
return deleted
"""

_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")


class RedisCacheStore:
    """Cache entries in Redis under ``prefix``."""

    def __init__(self, url: str, *, prefix: str = "velox:cache:", timeout: float = 1.0) -> None:
        self.connection = RedisConnection(url, socket_timeout=timeout)
        self.prefix = prefix

    async def get(self, key: str) -> bytes | None:
        value = await self.connection.client().get(self._entry(key))
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl: float, tags: Sequence[str] = ()) -> None:
        keys = [self._entry(key), *(self._tag(tag) for tag in tags)]
        ttl_ms = max(1, int(ttl * 1000))
        await self.connection.client().eval(_SET, len(keys), *keys, value, ttl_ms)

    async def delete_prefix(self, prefix: str) -> int:
        client = self.connection.client()
        pattern = _GLOB_SPECIAL.sub(r"\\\1", self._entry(prefix)) + "*"
        deleted = 0
        batch: list[bytes] = []
        async for found in client.scan_iter(match=pattern, count=500):
            batch.append(found)
            if len(batch) == 500:
                deleted += await client.unlink(*batch)
                batch = []
        if batch:
            deleted += await client.unlink(*batch)
        return deleted

    async def delete_tag(self, tag: str) -> int:
        deleted = await self.connection.client().eval(_DELETE_TAG, 1, self._tag(tag))
        return int(deleted)

    async def aclose(self) -> None:
        await self.connection.aclose()

    def _entry(self, key: str) -> str:
        return f"{self.prefix}e:{key}"

    def _tag(self, tag: str) -> str:
        return f"{self.prefix}t:{tag}"
