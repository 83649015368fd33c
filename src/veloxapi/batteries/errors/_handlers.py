"""The battery's exception handlers and its outermost middleware for unhandled exceptions.

Who is blamed: an exception is a client error (4xx) only when the application
said so (an :class:`APIError`, an ``HTTPException``, a class in
``status_map``, or a ``@parses_input`` failure listed in ``input_status_map``).
Everything else, serialization failures included, is the server's: a 500 whose
body carries the request id and no text of the exception.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from pydantic_core import PydanticSerializationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi.batteries.errors._classes import APIError
from veloxapi.batteries.errors._input import is_input_error
from veloxapi.batteries.errors._render import Renderer, phrase
from veloxapi.batteries.errors._settings import ErrorSettings
from veloxapi.exceptions import RequestValidationError

Handler = Callable[[HTTPConnection, Exception], Awaitable[Response]]


class ErrorMiddleware:
    """Pure ASGI: answers an unhandled exception with a 500 that carries the request id.

    The exception is logged once here and not re-raised, so the server does not log it
    again. If the response had already started, nothing can be answered: the exception
    is re-raised for the server to log and close the connection. With ``app.debug``
    on, it is re-raised too, so Starlette's debug page shows the traceback.

    A :class:`~starlette.requests.ClientDisconnect` (the client left while the app read
    its body) is nobody's fault on the server and there is nobody to answer: it is
    logged at the client-error level, without a traceback, and ends the request.
    """

    def __init__(self, app: ASGIApp, settings: ErrorSettings | None = None) -> None:
        self.app = app
        self.renderer = Renderer(settings or ErrorSettings())

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
        except ClientDisconnect:
            self.renderer.log_disconnect(scope)
        except Exception as exc:
            if started or getattr(scope.get("app"), "debug", False):
                raise  # the server (or the debug traceback page) takes it from here
            self.renderer.log(scope, 500, exc)
            response = self.renderer.response(scope, 500, phrase(500))
            await response(scope, receive, send)


def _lookup(mapping: Mapping[type[Exception], int], exc: Exception) -> int | None:
    for cls in type(exc).__mro__:
        status = mapping.get(cls)
        if status is not None:
            return status
    return None


def status_for(settings: ErrorSettings, exc: Exception) -> int | None:
    """The status the application chose for ``exc``, or ``None`` (a 500 then).

    A serialization failure is never input: the server produced what failed.
    """
    if is_input_error(exc) and not isinstance(exc, PydanticSerializationError):
        status = _lookup(settings.input_status_map, exc)
        if status is not None:
            return status
    return _lookup(settings.status_map, exc)


def mapped_handler(renderer: Renderer) -> Handler:
    """Answers the classes of both maps; anything they don't decide goes on as unhandled."""

    async def handle(conn: HTTPConnection, exc: Exception) -> Response:
        status_code = status_for(renderer.settings, exc)
        if status_code is None or conn.scope["type"] != "http":
            raise exc
        renderer.log(conn.scope, status_code, exc)
        detail = (str(exc) if status_code < 500 else "") or phrase(status_code)
        return renderer.response(conn.scope, status_code, detail)

    return handle


def api_error_handler(renderer: Renderer) -> Handler:
    async def handle(conn: HTTPConnection, exc: Exception) -> Response:
        if not isinstance(exc, APIError):
            raise exc
        renderer.log(conn.scope, exc.status_code, exc)
        return renderer.response(
            conn.scope, exc.status_code, exc.detail, headers=exc.headers, code=exc.code
        )

    return handle


def http_exception_handler(renderer: Renderer) -> Handler:
    async def handle(conn: HTTPConnection, exc: Exception) -> Response:
        if not isinstance(exc, StarletteHTTPException):
            raise exc
        renderer.log(conn.scope, exc.status_code, exc)
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=exc.headers)
        return renderer.response(conn.scope, exc.status_code, exc.detail, headers=exc.headers)

    return handle


def validation_handler(renderer: Renderer) -> Handler:
    async def handle(conn: HTTPConnection, exc: Exception) -> Response:
        if not isinstance(exc, RequestValidationError):
            raise exc
        renderer.log(conn.scope, 422, exc)
        return renderer.response(conn.scope, 422, list(exc.errors()), code="validation_error")

    return handle
