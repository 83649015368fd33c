"""A dependency declaration's limit on how many requests may run it at once.

``Depends(dep, max_concurrency=N)`` owns one of these. It hands out one
semaphore per event loop, created on first use in that loop, so an app can be
served by several loops (or backends) one after another. The semaphore lives
as long as the declaration does: nothing global keeps it.
"""

from __future__ import annotations

from typing import Any

import anyio
import anyio.lowlevel


def _loop_identity() -> Any:
    """The running event loop, whatever the backend (equal tokens for the same loop)."""
    return anyio.lowlevel.current_token()


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
        if self._semaphore is None or self._loop != loop:
            self._semaphore = anyio.Semaphore(self.limit)
            self._loop = loop
        return self._semaphore
