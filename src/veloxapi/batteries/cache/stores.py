"""Where cached responses live: the store protocol and the in-memory store."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class CacheStore(Protocol):
    """Bytes under string keys, with a time to live and tags for invalidation."""

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: float, tags: Sequence[str] = ()) -> None: ...

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with ``prefix``; return how many were deleted."""
        ...

    async def delete_tag(self, tag: str) -> int:
        """Delete every key stored with ``tag``; return how many were deleted."""
        ...

    async def aclose(self) -> None: ...


@dataclass
class _Item:
    value: bytes
    expires: float
    tags: tuple[str, ...]


class MemoryCacheStore:
    """A per-process LRU of at most ``max_entries`` entries, on the monotonic clock."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[str, _Item] = OrderedDict()
        self._tags: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    async def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item.expires <= time.monotonic():
                self._remove(key)
                return None
            self._items.move_to_end(key)
            return item.value

    async def set(self, key: str, value: bytes, ttl: float, tags: Sequence[str] = ()) -> None:
        with self._lock:
            self._remove(key)
            self._items[key] = _Item(value, time.monotonic() + ttl, tuple(tags))
            for tag in tags:
                self._tags.setdefault(tag, set()).add(key)
            while len(self._items) > self.max_entries:
                self._remove(next(iter(self._items)))

    async def delete_prefix(self, prefix: str) -> int:
        with self._lock:
            doomed = [key for key in self._items if key.startswith(prefix)]
            for key in doomed:
                self._remove(key)
            return len(doomed)

    async def delete_tag(self, tag: str) -> int:
        with self._lock:
            doomed = list(self._tags.pop(tag, ()))
            for key in doomed:
                self._remove(key)
            return len(doomed)

    async def aclose(self) -> None:
        return None

    def _remove(self, key: str) -> None:
        item = self._items.pop(key, None)
        if item is None:
            return
        for tag in item.tags:
            keys = self._tags.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._tags[tag]
