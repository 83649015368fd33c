"""Errors battery: one JSON body shape for every error an application answers.

``install_errors(app, ErrorSettings())`` registers exception handlers (through
``app.add_exception_handler``) and adds :class:`ErrorMiddleware`, a pure ASGI
middleware that turns an unhandled exception into a 500 carrying the request id
and nothing about the server's internals.

Default mapping (first match along the exception's MRO wins)::

    ValueError ................ 400    APIError subclasses: their own status
    pydantic ValidationError .. 500      AuthenticationRequired .. 401
    PermissionError ........... 403      NotFound ................ 404
    KeyError, TypeError ....... 500      AlreadyExists ........... 409
    NotImplementedError ....... 501      Unprocessable ........... 422
    any other exception ....... 500      ServiceUnavailable ...... 503

Body (plain)::  {"detail": ..., "status": 404, "code": "not_found", "request_id": "..."}
Body (RFC 9457, ``problem_json=True``, media type ``application/problem+json``)::

    {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "...",
     "instance": "/items/3", "code": "not_found", "request_id": "..."}

Each error is logged once on the ``veloxapi.errors`` logger: client errors
(4xx) at ``client_error_level``, handled server errors (501, 503, ...) at
WARNING, and 500s at ERROR with the traceback.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, Literal

from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi.batteries.request_id import get_request_id
from veloxapi.batteries.settings import BatterySettings
from veloxapi.exceptions import HTTPException, RequestValidationError

__all__ = [
    "APIError",
    "AlreadyExists",
    "AuthenticationRequired",
    "ErrorMiddleware",
    "ErrorSettings",
    "NotFound",
    "ServiceUnavailable",
    "Unprocessable",
    "error_response",
    "install_errors",
]

logger = logging.getLogger("veloxapi.errors")

DEFAULT_STATUS_MAP: Mapping[type[BaseException], int] = {
    ValueError: 400,
    # a ValueError too, but raised inside a route it means server data failed a model:
    # a bug, and its message would echo that data
    ValidationError: 500,
    PermissionError: 403,
    KeyError: 500,
    TypeError: 500,
    NotImplementedError: 501,
}

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "unprocessable",
    429: "rate_limited",
    500: "internal_error",
    501: "not_implemented",
    503: "unavailable",
}
_REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_STATE_KEY = "veloxapi_errors"


class ErrorSettings(BatterySettings):
    """Configuration of the errors battery (environment prefix ``VELOX_ERRORS_``)."""

    model_config = SettingsConfigDict(env_prefix="VELOX_ERRORS_")

    problem_json: bool = False
    """Answer RFC 9457 ``application/problem+json`` bodies instead of the plain shape."""
    problem_type_base: str = ""
    """When set, problem ``type`` is this URL plus the error code; otherwise ``about:blank``."""
    uniform_http_errors: bool = True
    """Render ``HTTPException`` and request validation errors in the same shape."""
    client_error_level: Literal["DEBUG", "INFO", "WARNING"] = "INFO"
    """Log level for 4xx errors."""


class APIError(Exception):
    """An error the application answers on purpose; subclasses fix the status."""

    status_code: int = 500
    code: str = "internal_error"

    def __init__(self, detail: str | None = None, *, headers: Mapping[str, str] | None = None):
        self.detail = detail if detail is not None else HTTPStatus(self.status_code).phrase
        self.headers = dict(headers or {})
        super().__init__(self.detail)


class AuthenticationRequired(APIError):
    """401: the request carries no (valid) credentials."""

    status_code = 401
    code = "unauthenticated"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        scheme: str = "Bearer",
    ):
        super().__init__(detail, headers={"WWW-Authenticate": scheme, **(headers or {})})


class NotFound(APIError):
    """404: the resource does not exist."""

    status_code = 404
    code = "not_found"


class AlreadyExists(APIError):
    """409: the resource would duplicate an existing one."""

    status_code = 409
    code = "conflict"


class Unprocessable(APIError):
    """422: the request is well formed but cannot be acted on."""

    status_code = 422
    code = "unprocessable"


class ServiceUnavailable(APIError):
    """503: a dependency is down; ``retry_after`` (seconds) becomes ``Retry-After``."""

    status_code = 503
    code = "unavailable"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        retry_after: int | None = None,
    ):
        extra = {} if retry_after is None else {"Retry-After": str(retry_after)}
        super().__init__(detail, headers={**extra, **(headers or {})})


def request_id_for(scope: Scope) -> str:
    """The current request id: the request-id battery's, the client's, or a new one.

    Without :mod:`veloxapi.batteries.request_id` installed, a safe client-sent
    ``X-Request-ID`` is reused, otherwise an id is made once per request.
    """
    found = get_request_id()
    if found:
        return found
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _SAFE_REQUEST_ID.match(candidate):
                return candidate
    generated: str = scope.setdefault("veloxapi.request_id", uuid.uuid4().hex)
    return generated


class _Renderer:
    """Builds error responses in the configured shape and logs them."""

    def __init__(self, settings: ErrorSettings) -> None:
        self.settings = settings
        self.client_level = logging.getLevelName(settings.client_error_level)

    def response(
        self,
        scope: Scope,
        status_code: int,
        detail: Any,
        *,
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
    ) -> Response:
        request_id = request_id_for(scope)
        code = code or _code_for(status_code)
        if self.settings.problem_json:
            body = self._problem(scope, status_code, detail, code, request_id)
            media_type = "application/problem+json"
        else:
            body = {"detail": detail, "status": status_code, "code": code, "request_id": request_id}
            media_type = "application/json"
        out_headers = {**(headers or {}), "X-Request-ID": request_id}
        content = json.dumps(body, default=str, separators=(",", ":")).encode()
        return Response(content, status_code, headers=out_headers, media_type=media_type)

    def _problem(
        self, scope: Scope, status_code: int, detail: Any, code: str, request_id: str
    ) -> dict[str, Any]:
        base = self.settings.problem_type_base
        body: dict[str, Any] = {
            "type": f"{base}{code}" if base else "about:blank",
            "title": _phrase(status_code),
            "status": status_code,
        }
        if isinstance(detail, str):
            body["detail"] = detail
        elif detail is not None:
            body["errors"] = detail
        body.update(instance=scope.get("path", ""), code=code, request_id=request_id)
        return body

    def log(self, scope: Scope, status_code: int, exc: BaseException) -> None:
        method, path = scope.get("method", ""), scope.get("path", "")
        label = type(exc).__name__
        if status_code == 500:
            logger.error("%s %s -> 500 (%s)", method, path, label, exc_info=exc)
        elif status_code >= 500:
            logger.warning("%s %s -> %d (%s)", method, path, status_code, label)
        else:
            logger.log(self.client_level, "%s %s -> %d (%s)", method, path, status_code, label)


def _code_for(status_code: int) -> str:
    if status_code in _CODES:
        return _CODES[status_code]
    return _phrase(status_code).lower().replace(" ", "_").replace("-", "_")


def _phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def error_response(
    scope: Scope,
    status_code: int,
    detail: Any,
    *,
    headers: Mapping[str, str] | None = None,
    code: str | None = None,
) -> Response:
    """An error response in the app's configured shape (plain when the battery is absent).

    Other batteries (rate limiting, caching) use this so every error looks alike.
    """
    app = scope.get("app")
    state = getattr(app, "state", None)
    renderer = getattr(state, _STATE_KEY, None)
    if not isinstance(renderer, _Renderer):
        renderer = _Renderer(ErrorSettings())
    return renderer.response(scope, status_code, detail, headers=headers, code=code)


class ErrorMiddleware:
    """Pure ASGI: answers an unhandled exception with a 500 that carries the request id.

    The exception is logged once here and not re-raised, so the server does not log it
    again. If the response had already started, nothing can be answered: the exception
    is re-raised for the server to log and close the connection. With ``app.debug``
    on, it is re-raised too, so Starlette's debug page shows the traceback.
    """

    def __init__(self, app: ASGIApp, settings: ErrorSettings | None = None) -> None:
        self.app = app
        self.renderer = _Renderer(settings or ErrorSettings())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started or getattr(scope.get("app"), "debug", False):
                raise  # the server (or the debug traceback page) takes it from here
            self.renderer.log(scope, 500, exc)
            response = self.renderer.response(scope, 500, _phrase(500))
            await response(scope, receive, send)


def _mapped_handler(
    renderer: _Renderer, status_code: int
) -> Callable[[Request, Exception], Response]:
    def handle(request: Request, exc: Exception) -> Response:
        renderer.log(request.scope, status_code, exc)
        detail = str(exc) if status_code < 500 or status_code == 501 else None
        return renderer.response(request.scope, status_code, detail or _phrase(status_code))

    return handle


def _api_error_handler(renderer: _Renderer) -> Callable[[Request, Exception], Response]:
    def handle(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, APIError):
            raise exc
        renderer.log(request.scope, exc.status_code, exc)
        return renderer.response(
            request.scope, exc.status_code, exc.detail, headers=exc.headers, code=exc.code
        )

    return handle


def _http_exception_handler(renderer: _Renderer) -> Callable[[Request, Exception], Response]:
    def handle(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, StarletteHTTPException):
            raise exc
        renderer.log(request.scope, exc.status_code, exc)
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=exc.headers)
        return renderer.response(request.scope, exc.status_code, exc.detail, headers=exc.headers)

    return handle


def _validation_handler(renderer: _Renderer) -> Callable[[Request, Exception], Response]:
    def handle(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, RequestValidationError):
            raise exc
        renderer.log(request.scope, 422, exc)
        return renderer.response(request.scope, 422, list(exc.errors()), code="validation_error")

    return handle


def install_errors(
    app: Any,
    settings: ErrorSettings | None = None,
    *,
    status_map: Mapping[type[BaseException], int] | None = None,
) -> None:
    """Wire the errors battery into ``app`` (a VeloxAPI/FastAPI/Starlette application).

    ``status_map`` adds or overrides exception-to-status entries, for example
    ``{TimeoutError: 504}``.
    """
    settings = settings or ErrorSettings()
    mapping = {**DEFAULT_STATUS_MAP, **(status_map or {})}
    for exc_class, status_code in mapping.items():
        _check_mapping(exc_class, status_code)
    renderer = _Renderer(settings)
    setattr(app.state, _STATE_KEY, renderer)
    for exc_class, status_code in mapping.items():
        app.add_exception_handler(exc_class, _mapped_handler(renderer, status_code))
    app.add_exception_handler(APIError, _api_error_handler(renderer))
    if settings.uniform_http_errors:
        for http_class in (StarletteHTTPException, HTTPException):  # either may be registered
            app.add_exception_handler(http_class, _http_exception_handler(renderer))
        app.add_exception_handler(RequestValidationError, _validation_handler(renderer))
    from veloxapi.batteries.layer import outer_layer

    outer_layer(app).errors = settings  # the last-resort 500, in the batteries' outer layer


def _check_mapping(exc_class: Any, status_code: Any) -> None:
    if not (isinstance(exc_class, type) and issubclass(exc_class, Exception)):
        raise TypeError(
            f"errors status_map key {exc_class!r} is not an Exception subclass; "
            "map exception classes, e.g. {TimeoutError: 504}"
        )
    if exc_class is Exception:
        raise ValueError(
            "errors status_map cannot map Exception itself; unhandled exceptions already "
            "answer 500 through ErrorMiddleware"
        )
    if not (isinstance(status_code, int) and 400 <= status_code <= 599):
        raise ValueError(
            f"errors status_map[{exc_class.__name__}] = {status_code!r} is not an error "
            "status; use an int from 400 to 599"
        )
