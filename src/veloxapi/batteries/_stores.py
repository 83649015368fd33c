"""What the rate-limit and cache stores share: the settings that choose a store
(with the one Redis URL every battery uses unless it sets its own), a Redis
client per event loop, the back-off that stops requests from waiting on a store
that just failed, and a warning that is not repeated on every request while a
store is down."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from veloxapi.batteries.connections import SHARED_REDIS_ENV, check_redis_url, shared_redis_url
from veloxapi.batteries.settings import BatterySettings

if TYPE_CHECKING:
    from redis.asyncio import Redis


@dataclass(frozen=True)
class StoreRef:
    """A server store a battery uses: its kind (``redis``, ``postgres``), URL and user."""

    kind: str
    url: str
    battery: str


class StoreSettings(BatterySettings):
    """The settings of a battery that keeps its state in memory or in Redis."""

    backend: Literal["memory", "redis"] = "memory"
    """``memory`` (per process) or ``redis`` (shared by every worker)."""
    redis_url: str | None = None
    """This battery's Redis; unset: the shared ``VELOX_REDIS_URL`` (or the local default)."""
    redis_timeout: float = Field(default=1.0, gt=0)
    """Seconds before a Redis call counts as an outage."""
    failure_backoff: float = Field(default=5.0, ge=0)
    """After a store failure, seconds during which the store is not asked at all
    (requests get the outage behaviour at once instead of each waiting)."""

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        return None if value is None else check_redis_url(value)

    @model_validator(mode="after")
    def _shared_url_valid(self) -> Self:
        if self.backend == "redis" and self.redis_url is None and SHARED_REDIS_ENV in os.environ:
            try:
                check_redis_url(os.environ[SHARED_REDIS_ENV])
            except ValueError as exc:
                raise ValueError(f"{SHARED_REDIS_ENV}: {exc}") from None
        return self

    def store_url(self) -> str:
        """The Redis URL this battery uses: its own, else the shared one."""
        return self.redis_url or shared_redis_url()


class Backoff:
    """Skips a store for ``seconds`` after it failed, so one outage costs one timeout."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.until = 0.0
        """Monotonic time the back-off ends; 0 while the store is healthy (a hot path
        tests it before calling anything)."""

    @property
    def active(self) -> bool:
        """Whether the store failed recently and should not be asked now."""
        return self.until > 0.0 and time.monotonic() < self.until

    def failed(self) -> None:
        self.until = time.monotonic() + self.seconds

    def succeeded(self) -> None:
        self.until = 0.0


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
