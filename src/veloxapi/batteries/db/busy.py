"""An exhausted connection pool answers ``503 Service Unavailable`` with ``Retry-After``.

SQLAlchemy raises :class:`sqlalchemy.exc.TimeoutError` when no connection came
free within ``pool_timeout``. That is the server being busy, not the client's
fault and not a crash: the handler answers 503, rendered by whatever renders
``HTTPException`` on the application (the errors battery's body when it is
installed), and logs a warning at most once every 30 seconds.
"""

from __future__ import annotations

import inspect
import logging
import time
from typing import Any

from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

logger = logging.getLogger("veloxapi.db")

BUSY_DETAIL = "The database is busy; retry shortly."
_LOG_INTERVAL = 30.0


class _Throttle:
    """True at most once per interval (monotonic clock)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last = -interval

    def ready(self) -> bool:
        now = time.monotonic()
        if now - self._last < self.interval:
            return False
        self._last = now
        return True


async def _render(request: Request, busy: HTTPException) -> Response:
    """``busy`` answered by the app's ``HTTPException`` handler, or as ``{"detail": ...}``."""
    render = request.app.exception_handlers.get(HTTPException)
    response = render(request, busy) if render is not None else None
    if inspect.isawaitable(response):
        response = await response
    if isinstance(response, Response):
        return response
    return JSONResponse({"detail": busy.detail}, busy.status_code, headers=busy.headers)


def pool_timeout_handler(retry_after: int) -> Any:
    """An exception handler turning a pool timeout into 503 with ``Retry-After``."""
    throttle = _Throttle(_LOG_INTERVAL)

    async def database_busy(request: Request, exc: Exception) -> Response:
        if throttle.ready():
            logger.warning("database pool exhausted, answering 503: %s", type(exc).__name__)
        busy = HTTPException(503, BUSY_DETAIL, headers={"Retry-After": str(retry_after)})
        return await _render(request, busy)

    return database_busy


def install_pool_timeout_handler(app: Any, retry_after: int) -> None:
    """Answer SQLAlchemy's pool ``TimeoutError`` on ``app`` with 503."""
    app.add_exception_handler(PoolTimeoutError, pool_timeout_handler(retry_after))
