"""Unhandled exceptions: seen before the error handlers answer, logged once per request."""

from __future__ import annotations

from time import time_ns
from typing import Any

from opentelemetry._logs import SeverityNumber
from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi.telemetry._correlation import request_id_attributes
from veloxapi.telemetry._request import normal_close, scope_request


def record_exception(scope: Scope, exc: BaseException) -> None:
    """Remember ``exc`` for the request's ``error.type``; log it the first time it is seen."""
    websocket = scope["type"] == "websocket"
    if websocket and normal_close(exc):
        return
    state = scope_request(scope)
    if state is None or not state.note_exception(exc):
        return
    if state.logger is None or not isinstance(exc, Exception):
        return
    attributes: dict[str, Any] = request_id_attributes(scope)
    route = state.route()
    if route:
        attributes["http.route"] = route
    state.logger.emit(
        exception=exc,
        event_name="fastapi.websocket.exception" if websocket else "http.server.request.exception",
        timestamp=time_ns(),
        severity_number=SeverityNumber.ERROR,
        severity_text="ERROR",
        body=(
            "Unhandled exception in FastAPI WebSocket connection"
            if websocket
            else "Unhandled exception in FastAPI request"
        ),
        attributes=attributes or None,
    )


class ExceptionObserver:
    """Sits inside the server-error layer: records an exception before it becomes a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            record_exception(scope, exc)
            raise
