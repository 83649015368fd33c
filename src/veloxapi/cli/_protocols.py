"""uvicorn HTTP/1.1 protocols that close connections whose request headers stall.

uvicorn times out idle keep-alive connections, but not a connection that is
opened and then sends nothing, nor one that sends its request headers a byte at
a time (a "slowloris" client): such connections are held for as long as the
client likes, and a few hundred of them exhaust a worker. These subclasses of
uvicorn's own protocols start a deadline when a request begins (the connection
opens, or its first bytes arrive after the previous response) and stop it when
the headers are complete. If the deadline passes first, the client gets
``408 Request Timeout`` and the connection is closed. Request bodies are not
covered here: the app's ``request_body_timeout`` handles stalled bodies.

The deadline is read from ``VELOX_HEADER_TIMEOUT`` (seconds; ``0`` turns it
off), which ``velox run`` / ``velox dev`` set from ``--header-timeout``, so
worker and reload subprocesses inherit it. Select one with uvicorn's
``http=`` option (an import string, so it survives the trip to worker
processes): :data:`HTTP_PROTOCOLS` maps ``auto`` / ``httptools`` / ``h11``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_ENV = "VELOX_HEADER_TIMEOUT"
DEFAULT_HEADER_TIMEOUT = 10.0
_RESPONSE_408 = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 47\r\n"
    b"connection: close\r\n\r\n"
    b"The request headers were not received in time.\n"
)
logger = logging.getLogger("veloxapi.server")


def header_timeout() -> float | None:
    """The deadline in seconds from the environment; None when turned off."""
    raw = os.environ.get(HEADER_TIMEOUT_ENV, "")
    try:
        value = float(raw) if raw else DEFAULT_HEADER_TIMEOUT
    except ValueError:
        return DEFAULT_HEADER_TIMEOUT
    return value if value > 0 else None


class HeaderDeadline:
    """Mixin for a uvicorn HTTP protocol: the header deadline described above.

    It relies on two facts shared by uvicorn's protocols: ``self.cycle`` is
    replaced when a request's headers are complete, and a request is awaited
    when there is no cycle or the current one has sent its response.
    """

    transport: asyncio.Transport
    cycle: Any
    client: tuple[str, int] | None

    _deadline: asyncio.TimerHandle | None = None
    _cycle_at_start: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._start_deadline()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self._awaiting_request():
            self._start_deadline()
        super().data_received(data)  # type: ignore[misc]
        if self._deadline is not None and self.cycle is not self._cycle_at_start:
            self._stop_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)  # type: ignore[misc]

    def handle_websocket_upgrade(self, *args: Any) -> None:
        self._stop_deadline()  # the WebSocket protocol owns the connection from here on
        super().handle_websocket_upgrade(*args)  # type: ignore[misc]

    def _awaiting_request(self) -> bool:
        return self.cycle is None or bool(self.cycle.response_complete)

    def _start_deadline(self) -> None:
        timeout = header_timeout()
        if timeout is None:
            return
        self._cycle_at_start = self.cycle
        self._deadline = asyncio.get_running_loop().call_later(timeout, self._expired)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        logger.debug("Closing %s: request headers not complete in time", self.client)
        self.transport.write(_RESPONSE_408)
        self.transport.close()


class HeaderDeadlineH11Protocol(HeaderDeadline, H11Protocol):
    """uvicorn's pure-Python (h11) protocol with the header deadline."""


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is optional in uvicorn; h11 is always there
    HTTP_PROTOCOLS = {
        "auto": f"{__name__}:HeaderDeadlineH11Protocol",
        "h11": f"{__name__}:HeaderDeadlineH11Protocol",
    }
else:

    class HeaderDeadlineHttpToolsProtocol(HeaderDeadline, HttpToolsProtocol):
        """uvicorn's httptools (llhttp) protocol with the header deadline."""

    HTTP_PROTOCOLS = {
        "auto": f"{__name__}:HeaderDeadlineHttpToolsProtocol",
        "httptools": f"{__name__}:HeaderDeadlineHttpToolsProtocol",
        "h11": f"{__name__}:HeaderDeadlineH11Protocol",
    }

__all__ = [
    "DEFAULT_HEADER_TIMEOUT",
    "HEADER_TIMEOUT_ENV",
    "HTTP_PROTOCOLS",
    "HeaderDeadline",
    "HeaderDeadlineH11Protocol",
    "header_timeout",
]
