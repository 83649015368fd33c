"""The default exception handlers; call them from your own handlers to keep their answers."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.status import HTTP_422_UNPROCESSABLE_CONTENT, WS_1008_POLICY_VIOLATION
from starlette.websockets import WebSocket

from veloxapi.encoders import jsonable_encoder
from veloxapi.exceptions import RequestValidationError, WebSocketRequestValidationError

_NO_BODY_STATUS_CODES = frozenset({204, 205, 304})
_MAX_CLOSE_REASON_BYTES = 123
"""A close frame carries at most 125 bytes, two of them the close code."""


def is_body_allowed_for_status_code(status_code: int) -> bool:
    """Whether HTTP allows a response with this status code to have a body."""
    return status_code >= 200 and status_code not in _NO_BODY_STATUS_CODES


async def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    """Answer ``{"detail": exc.detail}`` with the exception's status code and headers."""
    if not is_body_allowed_for_status_code(exc.status_code):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def request_validation_exception_handler(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    """Answer 422 with ``{"detail": [errors]}``.

    An input JSON can't represent (a NaN or infinite number the client sent) is
    reported as its text, so a bad value never turns the 422 into a 500.
    """
    return JSONResponse(
        {"detail": _json_safe(jsonable_encoder(exc.errors()))},
        status_code=HTTP_422_UNPROCESSABLE_CONTENT,
    )


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


async def websocket_request_validation_exception_handler(
    websocket: WebSocket, exc: WebSocketRequestValidationError
) -> None:
    """Close the socket with 1008 (policy violation), giving the errors as the reason.

    The reason is the errors as JSON when that fits in a close frame, else a
    shortened summary of where the errors are (a longer reason would make the
    server fail to send the close frame at all).
    """
    await websocket.close(code=WS_1008_POLICY_VIOLATION, reason=_close_reason(exc.errors()))


def _close_reason(errors: Sequence[Any]) -> str:
    encoded = jsonable_encoder(errors)
    reason = json.dumps(encoded)
    if len(reason.encode()) <= _MAX_CLOSE_REASON_BYTES:
        return reason
    places = ", ".join(_error_place(error) for error in encoded)
    summary = f"{len(encoded)} validation errors: {places}"
    return _fit(summary, _MAX_CLOSE_REASON_BYTES)


def _error_place(error: Any) -> str:
    if not isinstance(error, dict):
        return str(error)
    loc = ".".join(str(part) for part in error.get("loc", ()))
    return f"{loc} ({error.get('type', 'invalid')})"


def _fit(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` of UTF-8, ending with "..." when cut."""
    if len(text.encode()) <= max_bytes:
        return text
    cut = text.encode()[: max_bytes - 3].decode(errors="ignore")
    return cut + "..."


__all__ = [
    "http_exception_handler",
    "request_validation_exception_handler",
    "websocket_request_validation_exception_handler",
]
