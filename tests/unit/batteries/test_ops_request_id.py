"""Request ids: reused when well formed, generated otherwise, echoed, visible in context."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from veloxapi.batteries import ConfigurationError, get_request_id
from veloxapi.batteries.request_id import RequestIdMiddleware, RequestIdSettings
from veloxapi.batteries.settings import load_settings


async def whoami(request: Request) -> JSONResponse:
    return JSONResponse({"context": get_request_id(), "state": request.state.request_id})


def make_client(settings: RequestIdSettings | None = None) -> TestClient:
    app = Starlette(routes=[Route("/who", whoami)])
    app.add_middleware(RequestIdMiddleware, settings=settings)
    return TestClient(app)


def test_well_formed_id_is_reused_and_echoed() -> None:
    response = make_client().get("/who", headers={"X-Request-ID": "abc-123.def_4:5"})
    assert response.headers["x-request-id"] == "abc-123.def_4:5"
    assert response.json() == {"context": "abc-123.def_4:5", "state": "abc-123.def_4:5"}


def test_missing_id_is_generated() -> None:
    response = make_client().get("/who")
    generated = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert response.json()["context"] == generated


@pytest.mark.parametrize("bad", ["x" * 129, "has space", "<script>", "semi;colon", ""])
def test_malformed_id_is_replaced(bad: str) -> None:
    response = make_client().get("/who", headers={"X-Request-ID": bad})
    assert response.headers["x-request-id"] != bad
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_each_request_gets_its_own_id() -> None:
    client = make_client()
    ids = {client.get("/who").headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3


def test_id_is_unset_outside_a_request() -> None:
    make_client().get("/who")
    assert get_request_id() is None


def test_header_name_and_length_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_REQUEST_ID_HEADER", "X-Correlation-ID")
    monkeypatch.setenv("VELOX_REQUEST_ID_MAX_LENGTH", "10")
    client = make_client(load_settings(RequestIdSettings))
    reused = client.get("/who", headers={"X-Correlation-ID": "short-id"})
    assert reused.headers["x-correlation-id"] == "short-id"
    too_long = client.get("/who", headers={"X-Correlation-ID": "much-too-long-id"})
    assert too_long.headers["x-correlation-id"] != "much-too-long-id"
    assert "x-request-id" not in too_long.headers


def test_bad_header_name_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_REQUEST_ID_HEADER", "X Request")
    with pytest.raises(ConfigurationError, match="VELOX_REQUEST_ID_HEADER='X Request'"):
        load_settings(RequestIdSettings)


def test_websockets_get_an_id_too() -> None:
    async def echo_id(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(str(get_request_id()))
        await websocket.close()

    app = Starlette(routes=[WebSocketRoute("/ws", echo_id)])
    app.add_middleware(RequestIdMiddleware)
    with TestClient(app).websocket_connect("/ws", headers={"X-Request-ID": "ws-1"}) as ws:
        assert ws.receive_text() == "ws-1"
