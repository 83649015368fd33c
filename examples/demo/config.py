"""The demo's own settings (``DEMO_*``); the batteries read their ``VELOX_*`` variables.

In ``development`` (the default) the service issues its own tokens at
``POST /token`` for two dev users, signed with ``DEMO_TOKEN_SECRET`` or, when
that is unset, with a random secret made at start-up (tokens then last as long
as the process, and each worker has its own: set the secret to run several).
In ``production`` there is no token endpoint: tokens come from your identity
provider, configured with ``VELOX_AUTH_*`` (see docs/auth.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_DIR = Path(__file__).resolve().parent


class DemoSettings(BaseSettings):
    """``DEMO_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="forbid", frozen=True)

    environment: Literal["development", "production"] = "development"
    data_dir: Path = DEMO_DIR / ".data"
    token_secret: SecretStr | None = Field(default=None, min_length=32)
    token_issuer: str = "https://inventory.demo.invalid/"
    audience: str = "inventory-api"
    token_lifetime: int = Field(default=3600, ge=60, le=86_400)
    dev_password: SecretStr = SecretStr("dev-password")
    page_size: int = Field(default=20, ge=1, le=100)

    @property
    def development(self) -> bool:
        return self.environment == "development"
