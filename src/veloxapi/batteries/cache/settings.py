"""``CacheSettings``: the ``VELOX_CACHE_*`` environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from veloxapi.batteries._stores import StoreSettings
from veloxapi.batteries.settings import CsvList


class CacheSettings(StoreSettings):
    """Where responses are cached and how authenticated requests are treated."""

    model_config = SettingsConfigDict(env_prefix="VELOX_CACHE_")

    key_prefix: str = "velox:cache:"
    max_entries: int = Field(default=10_000, ge=1)
    """Most responses the memory store keeps (least recently used go first)."""
    max_body_bytes: int = Field(default=1_048_576, ge=0)
    """Larger responses are passed through and not cached."""
    authenticated: Literal["per_user", "bypass"] = "per_user"
    """For routes not marked ``shared``: cache per credential, or not at all."""
    credential_headers: CsvList = ("authorization", "cookie", "x-api-key")
    """Request headers that make a request authenticated (its cache entry private)."""

    @field_validator("credential_headers")
    @classmethod
    def _lowercase(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(name.lower() for name in value)
