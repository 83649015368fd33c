"""Turns exceptions raised by the app into responses, through the registered handlers.

It behaves as Starlette's ``ExceptionMiddleware`` (same handler lookup: status
handlers for HTTP errors, then the exception's class hierarchy; same defaults;
same handlers published in the scope for mounted apps) but builds the request
object only when an exception actually needs a handler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette._utils import is_async_callable
from starlette.exceptions import HTTPException, WebSocketException
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from veloxapi._engine.run.offload import run_sync

_log = logging.getLogger("veloxapi")


class ExceptionMiddleware:
    """Exception handlers; with ``server_errors`` also the outermost 500 answer.

    When no user middleware sits between them, one layer doing both jobs saves
    a send wrapper per message. PERF: benchmarks in-process plain_dict.
    """

    def __init__(
        self,
        app: ASGIApp,
        handlers: Mapping[Any, ExceptionHandler] | None = None,
        debug: bool = False,
        server_errors: ServerErrorMiddleware | None = None,
    ) -> None:
        self.app = app
        self.debug = debug
        self.server_errors = server_errors
        self._status_handlers: dict[int, ExceptionHandler] = {}
        self._exception_handlers: dict[Any, ExceptionHandler] = {
            HTTPException: self.http_exception,
            WebSocketException: self.websocket_exception,
        }
        for key, handler in (handlers or {}).items():
            self.add_exception_handler(key, handler)
        self._published = (self._exception_handlers, self._status_handlers)

    def add_exception_handler(
        self, exc_class_or_status_code: int | type[Exception], handler: ExceptionHandler
    ) -> None:
        if isinstance(exc_class_or_status_code, int):
            self._status_handlers[exc_class_or_status_code] = handler
        else:
            self._exception_handlers[exc_class_or_status_code] = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        scope["starlette.exception_handlers"] = self._published
        started = False
        inner_send = send  # PERF: benchmarks in-process websocket_echo: nothing to watch
        if kind == "http":

            def watched(message: Message) -> Awaitable[None]:
                # PERF: benchmarks in-process plain_dict: a closure (no object to build),
                # and the caller awaits the inner send itself
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                return send(message)

            inner_send = watched
        try:
            try:
                await self.app(scope, receive, inner_send)
            except Exception as exc:
                handler = self._handler_for(exc)
                if handler is None:
                    if isinstance(exc, ClientDisconnect):
                        # the client left while the app read its body: nobody to answer,
                        # cleanup already ran on the way out; no 500, no traceback
                        _log.debug(
                            "client disconnected while %s read the request body", scope.get("path")
                        )
                        return
                    raise
                if started:
                    raise RuntimeError(
                        "Caught handled exception, but response already started."
                    ) from exc
                await self._answer(handler, exc, scope, receive, inner_send)
        except Exception as exc:
            if self.server_errors is None or kind != "http":
                raise
            await answer_server_error(self.server_errors, exc, scope, receive, send, started)
            raise

    def _handler_for(self, exc: Exception) -> ExceptionHandler | None:
        if isinstance(exc, HTTPException):
            handler = self._status_handlers.get(exc.status_code)
            if handler is not None:
                return handler
        for cls in type(exc).__mro__:
            handler = self._exception_handlers.get(cls)
            if handler is not None:
                return handler
        return None

    async def _answer(
        self,
        handler: Callable[..., Any],
        exc: Exception,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        conn: Request | WebSocket
        conn = (
            Request(scope, receive, send)
            if scope["type"] == "http"
            else WebSocket(scope, receive, send)
        )
        if is_async_callable(handler):
            response = await handler(conn, exc)
        else:
            response = await run_sync(handler, conn, exc)
        if response is not None:
            await response(scope, receive, send)
        exc.__traceback__ = None  # a reused exception instance would keep growing its traceback

    async def http_exception(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in {204, 304}:
            return Response(status_code=exc.status_code, headers=exc.headers)
        return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)

    async def websocket_exception(self, websocket: WebSocket, exc: Exception) -> None:
        assert isinstance(exc, WebSocketException)
        await websocket.close(code=exc.code, reason=exc.reason)


async def answer_server_error(
    errors: ServerErrorMiddleware,
    exc: Exception,
    scope: Scope,
    receive: Receive,
    send: Send,
    started: bool,
) -> None:
    """What ``errors`` (a ServerErrorMiddleware whose job a layer does instead) answers to
    ``exc``: the debug page, the application's 500 handler, or a plain 500; sent unless
    the response has started. The caller re-raises ``exc`` for the server."""
    request = Request(scope)
    handler: Callable[..., Any] | None = errors.handler
    if errors.debug:
        response = await run_sync(errors.debug_response, request, exc)
    elif handler is None:
        response = errors.error_response(request, exc)
    elif is_async_callable(handler):
        response = await handler(request, exc)
    else:
        response = await run_sync(handler, request, exc)
    if not started:
        await response(scope, receive, send)
