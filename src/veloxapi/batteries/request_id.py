"""Request ids: reuse the client's X-Request-ID when it is safe, otherwise make one.

The id lives in a context variable for the duration of the request, so log
records (see :mod:`veloxapi.batteries.logging`) and user code can read it with
:func:`get_request_id`; it is also stored in ``request.state.request_id`` and
echoed in the response headers.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi.batteries._request_ids import (
    DEFAULT_HEADER,
    DEFAULT_MAX_LENGTH,
    get_request_id,
    incoming_request_id,
    new_request_id,
    request_id_var,
)
from veloxapi.batteries.settings import BatterySettings

_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")

__all__ = [
    "DEFAULT_HEADER",
    "DEFAULT_MAX_LENGTH",
    "RequestIdMiddleware",
    "RequestIdSettings",
    "get_request_id",
    "incoming_request_id",
    "install_request_id",
    "new_request_id",
    "request_id_var",
]


class RequestIdSettings(BatterySettings):
    """``VELOX_REQUEST_ID_*``: which header carries the id and how long it may be."""

    model_config = SettingsConfigDict(env_prefix="VELOX_REQUEST_ID_")

    header: str = DEFAULT_HEADER
    max_length: int = Field(default=DEFAULT_MAX_LENGTH, ge=8, le=1024)

    @field_validator("header")
    @classmethod
    def _valid_header_name(cls, value: str) -> str:
        if not _HEADER_NAME.fullmatch(value):
            raise ValueError(
                "must be an HTTP header name (letters, digits, '-'), e.g. X-Request-ID"
            )
        return value


class RequestIdMiddleware:
    """Pure ASGI middleware: sets the request id for HTTP and WebSocket scopes."""

    def __init__(self, app: ASGIApp, settings: RequestIdSettings | None = None) -> None:
        self.app = app
        self.settings = settings or RequestIdSettings()
        self._header_key = self.settings.header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = incoming_request_id(scope, self._header_key, self.settings.max_length)
        request_id = incoming or new_request_id()
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers[self.settings.header] = request_id
            await send(message)

        token = request_id_var.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


def install_request_id(app: Any, settings: RequestIdSettings) -> None:
    """Give every request of ``app`` an id, in the batteries' outer layer."""
    from veloxapi.batteries.layer import outer_layer

    outer_layer(app).request_id = settings
