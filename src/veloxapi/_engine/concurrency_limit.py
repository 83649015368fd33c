"""A dependency declaration's limit on how many requests may run it at once.

``Depends(dep, max_concurrency=N)`` owns one of these. It hands out one
semaphore per event loop, created on first use in that loop, so an app can be
served by several loops (or backends) one after another. The semaphore lives
as long as the declaration does: nothing global keeps it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio


def _loop_identity() -> Any:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # not asyncio: anyio's other backend, trio
        import trio

        return trio.lowlevel.current_trio_token()


class ConcurrencyLimit:
    """At most ``limit`` concurrent holders per event loop."""

    __slots__ = ("__weakref__", "_loop", "_semaphore", "limit")

    def __init__(self, limit: int) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"max_concurrency must be a positive integer or None, got {limit!r}.")
        self.limit = limit
        self._loop: Any = None
        self._semaphore: anyio.Semaphore | None = None

    def get_semaphore(self) -> anyio.Semaphore:
        loop = _loop_identity()
        if self._semaphore is None or self._loop is not loop:
            self._semaphore = anyio.Semaphore(self.limit)
            self._loop = loop
        return self._semaphore
