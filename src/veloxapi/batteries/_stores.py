"""What the rate-limit and cache stores share: the settings that choose a store,
a Redis client per event loop and a warning that is not repeated on every
request while a store is down."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from veloxapi.batteries.settings import BatterySettings

if TYPE_CHECKING:
    from redis.asyncio import Redis


class StoreSettings(BatterySettings):
    """The settings of a battery that keeps its state in memory or in Redis."""

    backend: Literal["memory", "redis"] = "memory"
    """``memory`` (per process) or ``redis`` (shared by every worker)."""
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_timeout: float = Field(default=1.0, gt=0)
    """Seconds before a Redis call counts as an outage."""


def import_redis() -> Any:
    """The ``redis.asyncio`` module, or an ImportError naming the extra to install."""
    try:
        import redis.asyncio as redis_asyncio
    except ImportError as exc:
        raise ImportError(
            'The Redis store needs the redis package: pip install "veloxapi[redis]"'
        ) from exc
    return redis_asyncio


class RedisConnection:
    """A lazily created ``redis.asyncio.Redis`` client, one per running event loop.

    A client's connections belong to the loop that opened them; test clients and
    some servers run more than one loop in a process, so the client is re-created
    when it is first used from another loop.
    """

    def __init__(self, url: str, *, socket_timeout: float = 1.0) -> None:
        self._module = import_redis()
        self.url = url
        self.socket_timeout = socket_timeout
        self._clients: dict[asyncio.AbstractEventLoop, Redis] = {}

    def client(self) -> Redis:
        loop = asyncio.get_running_loop()
        found = self._clients.get(loop)
        if found is None:
            for stale in [known for known in self._clients if known.is_closed()]:
                del self._clients[stale]
            found = self._module.from_url(
                self.url,
                socket_timeout=self.socket_timeout,
                socket_connect_timeout=self.socket_timeout,
            )
            self._clients[loop] = found
        return found

    async def aclose(self) -> None:
        """Close the client of the running loop."""
        found = self._clients.pop(asyncio.get_running_loop(), None)
        if found is not None:
            await found.aclose()


class ThrottledWarning:
    """Logs a warning at most once per ``interval`` seconds."""

    def __init__(self, logger: logging.Logger, interval: float = 30.0) -> None:
        self.logger = logger
        self.interval = interval
        self._last = -interval

    def warn(self, message: str, *args: object) -> None:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self.logger.warning(message, *args)
