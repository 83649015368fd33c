"""ASGI pieces every outer battery layer shares: the send-watcher and the route template.

:class:`SendWatcher` wraps an ASGI ``send`` once per request and remembers what
went out (status, response headers, body size), optionally adding headers to
the response start; the access log, metrics, security headers, rate-limit
headers and deprecation headers all observe a response through it, so each
does that one way. :func:`route_template` names the route a request matched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.types import Message, Scope, Send

from veloxapi._engine.route.router_index import served_route

UNMATCHED_ROUTE = "<unmatched>"

HeaderList = list[tuple[bytes, bytes]]
StartHook = Callable[[HeaderList], None]


def route_template(scope: Scope) -> str:
    """The matched route's path template, never the raw path (bounded cardinality)."""
    path = getattr(served_route(scope), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ROUTE


def add_missing(headers: HeaderList, extra: Sequence[tuple[bytes, bytes]]) -> None:
    """Append each of ``extra`` (lower-case names) whose name ``headers`` lacks."""
    present = {key.lower() for key, _ in headers}
    headers.extend((key, value) for key, value in extra if key not in present)


def header_value(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """The first value of header ``name`` (lower case) in an ASGI header list."""
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class SendWatcher:
    """An ASGI ``send`` that records the response and passes every message on.

    ``status`` stays 500 until a response starts (an app that fails before
    answering is a server error), ``size`` counts body bytes, ``headers`` are
    the response headers as sent. ``on_start`` may edit the header list of the
    response start in place before it is sent.
    """

    __slots__ = ("_on_start", "_send", "headers", "size", "started", "status")

    def __init__(self, send: Send, on_start: StartHook | None = None) -> None:
        self._send = send
        self._on_start = on_start
        self.status = 500
        self.size = 0
        self.started = False
        self.headers: HeaderList = []

    async def __call__(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.body":
            self.size += len(message.get("body", b""))
        elif kind == "http.response.start":
            self._start(message)
        await self._send(message)

    def _start(self, message: Message) -> None:
        self.started = True
        self.status = message["status"]
        headers: HeaderList = list(message.get("headers", ()))
        if self._on_start is not None:
            self._on_start(headers)
            message["headers"] = headers
        self.headers = headers
