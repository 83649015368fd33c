"""WebSocket connections: one SERVER span per connection, operation spans, no metrics."""

from __future__ import annotations

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from veloxapi import FastAPI, WebSocket, WebSocketDisconnect
from veloxapi.testclient import TestClient

from .conftest import Otel


def _app(otel: Otel) -> FastAPI:
    app = FastAPI(telemetry=otel.config)

    @app.websocket("/rooms/{room}")
    async def chat(websocket: WebSocket, room: str) -> None:
        await websocket.accept()
        text = await websocket.receive_text()
        if text == "crash":
            raise RuntimeError("room state corrupted")
        await websocket.send_text(f"{room}:{text}")
        await websocket.close()

    return app


def test_a_connection_is_one_span_named_after_its_route(otel: Otel) -> None:
    with TestClient(_app(otel)).websocket_connect("/rooms/lobby") as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "lobby:hi"
    server = otel.server_span()
    assert server.name == "WS /rooms/{room}"
    assert server.attributes is not None
    assert server.attributes["network.protocol.name"] == "websocket"
    assert server.attributes["http.route"] == "/rooms/{room}"
    assert server.status.status_code is StatusCode.UNSET
    names = sorted(s.name for s in otel.finished() if s.kind is SpanKind.INTERNAL)
    assert names == ["fastapi.dependencies", "fastapi.endpoint"]
    assert otel.points("http.server.request.duration") == []  # HTTP metrics only


def test_an_exception_in_the_endpoint_fails_the_connection_span(otel: Otel) -> None:
    client = TestClient(_app(otel))
    with (
        pytest.raises((RuntimeError, WebSocketDisconnect)),
        client.websocket_connect("/rooms/lobby") as ws,
    ):
        ws.send_text("crash")
        ws.receive_text()
    server = otel.server_span()
    assert server.status.status_code is StatusCode.ERROR
    assert server.attributes is not None
    assert server.attributes["error.type"] == "RuntimeError"
    (record,) = otel.records()
    assert record.log_record.event_name == "fastapi.websocket.exception"


def test_a_normal_client_disconnect_is_not_an_error(otel: Otel) -> None:
    app = FastAPI(telemetry=otel.config)

    @app.websocket("/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            await websocket.send_text(await websocket.receive_text())

    # the endpoint lets the disconnect (code 1000) propagate, as a loop like this does
    with pytest.raises(WebSocketDisconnect), TestClient(app).websocket_connect("/echo") as ws:
        ws.send_text("a")
        assert ws.receive_text() == "a"
    assert all(s.status.status_code is StatusCode.UNSET for s in otel.finished())
    assert otel.records() == []
