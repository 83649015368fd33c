"""``CacheSettings``: the ``VELOX_CACHE_*`` environment variables."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

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
    public_origin: str | None = None
    """``https://api.example.com``: the only origin cached; requests naming another
    ``Host`` bypass the cache. Unset: the request's ``Host`` is part of every key."""
    honour_request_directives: bool = True
    """Obey a client's ``Cache-Control: no-cache`` (not served from the cache) and
    ``no-store`` (neither served nor stored); ``max-age=0`` and ``Pragma: no-cache``
    count as ``no-cache``."""

    @field_validator("credential_headers")
    @classmethod
    def _lowercase(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError(
                "must name at least one header (default: authorization,cookie,x-api-key); "
                "with none, every user's authenticated response would be served to the others"
            )
        return tuple(name.lower() for name in value)

    @field_validator("public_origin")
    @classmethod
    def _origin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ValueError("write an origin: scheme and host only, e.g. https://api.example.com")
        return f"{parts.scheme}://{parts.netloc.lower()}"

    def public_host(self) -> str | None:
        """The ``Host`` value the public origin implies (port only when not the default)."""
        if self.public_origin is None:
            return None
        return urlsplit(self.public_origin).netloc
