"""Real Starlette connections built from ASGI scopes, for calling security schemes directly."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest
from starlette.requests import HTTPConnection, Request
from starlette.websockets import WebSocket

ConnectionFactory = Callable[..., HTTPConnection]


async def _no_message() -> dict[str, object]:
    raise AssertionError("security schemes must not read the request body")


async def _no_send(message: object) -> None:
    raise AssertionError("security schemes must not send anything")


def _scope(kind: str, headers: Mapping[str, str], query_string: str) -> dict[str, object]:
    return {
        "type": kind,
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http" if kind == "http" else "ws",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": query_string.encode("latin-1"),
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


@pytest.fixture
def make_request() -> ConnectionFactory:
    """``make_request(headers={...}, query_string="a=b")`` gives an HTTP Request."""

    def factory(headers: Mapping[str, str] | None = None, query_string: str = "") -> Request:
        return Request(_scope("http", headers or {}, query_string), receive=_no_message)

    return factory


@pytest.fixture
def make_websocket() -> ConnectionFactory:
    """``make_websocket(headers={...})`` gives a WebSocket connection (not yet accepted)."""

    def factory(headers: Mapping[str, str] | None = None, query_string: str = "") -> WebSocket:
        return WebSocket(
            _scope("websocket", headers or {}, query_string), receive=_no_message, send=_no_send
        )

    return factory
