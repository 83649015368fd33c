"""FastAPI with the add-ons a FastAPI user assembles, for the "FastAPI + add-ons" column.

The same features the "veloxapi + batteries" column switches on
(``apps/with_batteries.py``), each from the third-party package a FastAPI user
would pick (pinned in ``requirements-fastapi.txt``, installed only in the
FastAPI benchmark venv):

* request ids: asgi-correlation-id (``X-Request-ID``, and on every log record);
* JSON logs with one access line per request: python-json-logger, and a small
  pure ASGI access-log middleware (no package does that line; uvicorn's access
  log is not there in-process);
* Prometheus metrics at ``/metrics``: prometheus-fastapi-instrumentator;
* a global rate limit that is never reached (in memory): slowapi's ASGI middleware;
* response cache: fastapi-cache2 with its in-memory backend (no route opts in,
  as in the batteries column);
* security headers: secure's ASGI middleware with its default headers;
* health routes, and a JSON error body for unhandled exceptions.

Logs are written to /dev/null: formatting them is measured, a terminal is not.
"""

import logging
import os
import time
from typing import Any

from asgi_correlation_id import CorrelationIdFilter, CorrelationIdMiddleware
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_cache import FastAPICache
from fastapi_cache.backends.inmemory import InMemoryBackend
from prometheus_fastapi_instrumentator import Instrumentator
from pythonjsonlogger.json import JsonFormatter
from secure import Secure
from secure.middleware import SecureASGIMiddleware
from slowapi import Limiter
from slowapi.middleware import SlowAPIASGIMiddleware
from slowapi.util import get_remote_address
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_NULL = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
access_log = logging.getLogger("app.access")


class AccessLogMiddleware:
    """One JSON access line per HTTP request: method, route, status, latency, size."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status, size = time.perf_counter(), 500, 0

        async def measuring_send(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, measuring_send)
        finally:
            route = getattr(scope.get("route"), "path", "<unmatched>")
            access_log.info(
                "%s %s %s",
                scope["method"],
                route,
                status,
                extra={
                    "route": route,
                    "status": status,
                    "latency_ms": round((time.perf_counter() - start) * 1000, 3),
                    "response_size": size,
                },
            )


def _configure_logging() -> None:
    handler = logging.StreamHandler(_NULL)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(CorrelationIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    request_id = request.headers.get("x-request-id", "")
    body = {"detail": "Internal Server Error", "request_id": request_id}
    return JSONResponse(body, status_code=500)


def _health_routes(app: FastAPI) -> None:
    @app.get("/running", include_in_schema=False)
    async def running() -> dict[str, bool]:
        return {"running": True}

    @app.get("/readyz", include_in_schema=False)
    async def ready() -> dict[str, bool]:
        return {"ready": True}


def switch_on_addons(app: Any) -> None:
    """Add the add-ons to ``app`` (a FastAPI app built by ``apps.fastapi_style``)."""
    _configure_logging()
    _health_routes(app)
    app.add_exception_handler(Exception, _unhandled)
    FastAPICache.init(InMemoryBackend(), prefix="fastapi-cache")
    app.state.limiter = Limiter(key_func=get_remote_address, default_limits=["100000000/minute"])
    Instrumentator().instrument(app).expose(app, include_in_schema=False)
    # add_middleware wraps: the last added runs first, as in the batteries column
    app.add_middleware(SlowAPIASGIMiddleware)
    app.add_middleware(SecureASGIMiddleware, secure=Secure.with_default_headers())
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(CorrelationIdMiddleware)
