"""CORS: Starlette's ``CORSMiddleware`` configured from ``VELOX_CORS_*``.

Browsers send a preflight ``OPTIONS`` request before a cross-origin call that is
not "simple"; the middleware answers it and adds ``Access-Control-*`` headers to
the actual responses of allowed origins. Lists are comma-separated in the
environment; credentials with a wildcard origin are refused at start-up, since
browsers refuse them anyway.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send

from veloxapi.batteries.settings import BatterySettings, CsvList


class CorsSettings(BatterySettings):
    """``VELOX_CORS_*``: Starlette's ``CORSMiddleware`` options; lists are comma-separated."""

    model_config = SettingsConfigDict(env_prefix="VELOX_CORS_")

    allow_origins: CsvList = Field(min_length=1)
    allow_methods: CsvList = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
    allow_headers: CsvList = ()
    expose_headers: CsvList = ()
    allow_credentials: bool = False
    max_age: int = Field(default=600, ge=0)

    @field_validator("allow_credentials")
    @classmethod
    def _no_wildcard_with_credentials(cls, value: bool, info: ValidationInfo) -> bool:
        if value and "*" in info.data.get("allow_origins", ()):
            raise ValueError(
                "browsers refuse credentials with allow_origins='*'; "
                "list the origins in VELOX_CORS_ALLOW_ORIGINS instead"
            )
        return value


async def _not_called(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("the CORS rules are applied by the batteries' outer layer")


def install_cors(app: Any, settings: CorsSettings) -> CorsSettings:
    """Apply Starlette's CORS rules configured by ``settings`` in the batteries' outer
    layer (preflights answered there, headers added to every response); the handle is
    the settings."""
    from veloxapi.batteries.layer import outer_layer

    outer_layer(app).cors = CORSMiddleware(
        _not_called,
        allow_origins=settings.allow_origins,
        allow_methods=settings.allow_methods,
        allow_headers=settings.allow_headers,
        expose_headers=settings.expose_headers,
        allow_credentials=settings.allow_credentials,
        max_age=settings.max_age,
    )
    return settings
