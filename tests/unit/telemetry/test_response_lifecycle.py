"""When the request ends: trailers, path sends, disconnects and incomplete responses."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.trace import StatusCode
from starlette.types import Receive, Scope, Send

from veloxapi import FastAPI
from veloxapi.testclient import TestClient

from .conftest import Otel


async def _raw(scope: Scope, receive: Receive, send: Send) -> None:
    """A mounted ASGI app answering in the way its path asks for."""
    kind = scope["path"].rsplit("/", 1)[-1]
    if kind == "incomplete":
        return
    if kind == "disconnect":
        while (await receive())["type"] != "http.disconnect":
            pass
        return
    trailers = kind == "trailers"
    await send({"type": "http.response.start", "status": 200, "trailers": trailers})
    await send({"type": "http.response.body", "body": b"ok"})
    if trailers:
        await send({"type": "http.response.trailers", "headers": [], "more_trailers": True})
        await send({"type": "http.response.trailers", "headers": []})


def _app(otel: Otel) -> FastAPI:
    app = FastAPI(telemetry=otel.config)
    app.mount("/raw", _raw)
    return app


def test_a_response_with_trailers_ends_after_the_last_trailer(otel: Otel) -> None:
    TestClient(_app(otel)).get("/raw/trailers")
    span = otel.server_span()
    assert span.status.status_code is StatusCode.UNSET
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/raw/{path}"
    assert span.attributes["http.response.status_code"] == 200


@pytest.mark.parametrize(
    ("kind", "error_type"),
    [("incomplete", "RuntimeError"), ("disconnect", "ConnectionError")],
)
def test_a_request_without_a_complete_response_is_an_error(
    otel: Otel, kind: str, error_type: str
) -> None:
    app = _app(otel)
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": f"/raw/{kind}",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"example.org")],
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: object) -> None:
        raise AssertionError(f"nothing should be sent, got {message!r}")

    anyio.run(app, scope, receive, send)
    span = otel.server_span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == error_type
    assert span.attributes["server.address"] == "example.org"
    (point,) = otel.points("http.server.request.duration")
    assert point.count == 1
    (active,) = otel.points("http.server.active_requests")
    assert active.value == 0
