"""``VELOX_DB_*``: the database URL, the connection pool and the session policy."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from veloxapi.batteries.settings import BatterySettings

DEFAULT_URL = "sqlite+aiosqlite:///velox.sqlite3"

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


class DatabaseSettings(BatterySettings):
    """How the application reaches its database, and what a request's session does.

    ``url`` is an SQLAlchemy URL with an asyncio driver; ``postgresql://...`` and
    ``sqlite:///...`` are accepted and given the driver veloxapi installs
    (asyncpg, aiosqlite). ``sync_url`` is only needed for synchronous sessions
    when the driver cannot be derived from ``url``.
    """

    model_config = SettingsConfigDict(env_prefix="VELOX_DB_")

    url: SecretStr = Field(default=SecretStr(DEFAULT_URL), min_length=1)
    sync_url: SecretStr | None = Field(default=None, min_length=1)
    echo: bool = False
    pool_size: int = Field(default=5, ge=1, le=1000)
    max_overflow: int = Field(default=10, ge=0, le=1000)
    pool_timeout: float = Field(default=10.0, gt=0, le=300)
    pool_recycle: int = Field(default=1800, ge=-1)
    pool_pre_ping: bool = True
    connect_timeout: float = Field(default=5.0, gt=0, le=300)
    retry_after: int = Field(default=1, ge=1, le=3600)
    commit_on_success: bool = True
    rollback_on_http_error: bool = True
    metadata: str | None = Field(default=None, pattern=r"^[\w.]+:[\w.]+$")
    migrations: str = Field(default="migrations", min_length=1)

    @field_validator("url", "sync_url")
    @classmethod
    def _parsable(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                make_url(value.get_secret_value())
            except ArgumentError:
                raise ValueError(
                    "not an SQLAlchemy URL; expected e.g. postgresql+asyncpg://user@host/name "
                    "or sqlite+aiosqlite:///path/to/file.sqlite3"
                ) from None
        return value

    def async_url(self) -> str:
        """``url`` with an asyncio driver (``postgresql://`` becomes ``postgresql+asyncpg://``)."""
        text = self.url.get_secret_value()
        scheme, _, rest = text.partition("://")
        return f"{_ASYNC_DRIVERS.get(scheme, scheme)}://{rest}"
