"""Redis keys a test owns: a prefix no other test uses, emptied afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def unique_prefix(redis_url: str, label: str) -> Iterator[str]:
    """Yield ``<label>:<random>:``; every key under it is deleted on the way out."""
    import redis

    prefix = f"{label}:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
