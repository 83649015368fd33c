"""``TaskSettings``: the ``VELOX_TASKS_*`` environment variables of the jobs battery."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from veloxapi.batteries.settings import BatterySettings


class TaskSettings(BatterySettings):
    """Where jobs are queued, how failures are retried and how the embedded worker runs."""

    model_config = SettingsConfigDict(env_prefix="VELOX_TASKS_")

    backend: Literal["memory", "redis", "rabbitmq"] = "memory"
    """``memory``: an in-process queue run by a worker inside the app (development, tests);
    ``redis`` / ``rabbitmq``: a durable broker, jobs run by ``velox worker`` processes."""
    url: SecretStr | None = None
    """The broker URL, e.g. ``redis://127.0.0.1:6379/0`` or ``amqp://guest:guest@127.0.0.1/``."""
    namespace: str = Field(default="velox-tasks", min_length=1, pattern=r"^[A-Za-z0-9._:-]+$")
    """Prefix of every Redis key the queue uses (several apps can share one Redis)."""
    default_queue: str = Field(default="default", min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    max_retries: int = Field(default=5, ge=0)
    """Retries of a failing job before it is dead-lettered."""
    min_backoff_ms: int = Field(default=1000, ge=1)
    """First retry delay; each later retry waits about twice as long (with jitter)."""
    max_backoff_ms: int = Field(default=300_000, ge=1)
    time_limit_ms: int = Field(default=600_000, ge=1)
    """A job running longer is interrupted and counts as failed (then retried)."""
    connect_timeout: float = Field(default=2.0, gt=0)
    """Seconds an enqueue waits for the broker before it fails with ``EnqueueError``."""
    heartbeat_timeout_ms: int = Field(default=60_000, ge=1000)
    """Redis: a worker silent this long is dead, and the jobs it held are queued again."""
    maintenance_chance: int = Field(default=1000, ge=0, le=1_000_000)
    """Redis: per million broker commands, how many also look for dead workers' jobs."""
    worker_threads: int = Field(default=4, ge=1, le=256)
    """Threads of the embedded worker (``memory``) and the default of ``velox worker``."""
    embedded_worker: bool = True
    """``memory`` backend: run jobs in the app process. Off, jobs wait until ``run_pending``."""

    @model_validator(mode="after")
    def _url_matches_backend(self) -> TaskSettings:
        if self.backend == "memory" or self.url is None:
            return self
        scheme = self.url.get_secret_value().split(":", 1)[0].lower()
        expected = ("redis", "rediss", "unix") if self.backend == "redis" else ("amqp", "amqps")
        if scheme not in expected:
            raise ValueError(
                f"VELOX_TASKS_URL has scheme {scheme!r} but VELOX_TASKS_BACKEND is "
                f"{self.backend!r}; use a URL starting with "
                + " or ".join(f"{name}://" for name in expected)
            )
        return self

    def broker_url(self) -> str:
        """The URL to connect to, with the local default of the chosen backend."""
        if self.url is not None:
            return self.url.get_secret_value()
        if self.backend == "rabbitmq":
            return "amqp://guest:guest@127.0.0.1:5672/%2F"
        return "redis://127.0.0.1:6379/0"
