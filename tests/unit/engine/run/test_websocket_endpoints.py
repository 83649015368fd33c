"""WebSocket endpoints that take only the socket, and what changes when they take more."""

from __future__ import annotations

import pytest
from starlette.requests import HTTPConnection

from veloxapi import (
    Depends,
    HTTPException,
    Request,
    VeloxAPI,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    status,
)
from veloxapi.testclient import TestClient


def test_the_socket_is_handed_under_every_name_and_type_asking_for_it() -> None:
    app = VeloxAPI()
    seen: list[bool] = []

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket, connection: HTTPConnection, other: Request) -> None:
        seen.append(websocket is connection is other)
        await websocket.accept()
        await websocket.send_text(websocket.url.path)
        await websocket.close()

    with TestClient(app).websocket_connect("/ws") as ws:
        assert ws.receive_text() == "/ws"
    assert seen == [True]


def test_a_sync_endpoint_taking_the_socket_runs() -> None:
    app = VeloxAPI()
    calls: list[str] = []

    @app.websocket("/ws")
    def endpoint(websocket: WebSocket) -> None:
        calls.append(type(websocket).__name__)
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason="sync")

    with pytest.raises(WebSocketDisconnect) as exc, TestClient(app).websocket_connect("/ws"):
        pass
    assert (exc.value.code, exc.value.reason) == (1008, "sync")
    assert calls == ["WebSocket"]


def test_an_endpoint_without_parameters_runs() -> None:
    app = VeloxAPI()
    calls: list[str] = []

    @app.websocket("/ws")
    async def endpoint() -> None:
        calls.append("called")
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION)

    with pytest.raises(WebSocketDisconnect) as exc, TestClient(app).websocket_connect("/ws"):
        pass
    assert exc.value.code == 1008
    assert calls == ["called"]


def test_websocket_exception_from_a_plain_endpoint_closes_with_its_code() -> None:
    app = VeloxAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        raise WebSocketException(code=status.WS_1003_UNSUPPORTED_DATA, reason="no thanks")

    with TestClient(app).websocket_connect("/ws") as ws, pytest.raises(WebSocketDisconnect) as exc:
        ws.receive_text()
    assert (exc.value.code, exc.value.reason) == (1003, "no thanks")


def test_custom_handler_sees_an_error_raised_before_accept() -> None:
    app = VeloxAPI()

    class Refused(Exception):
        pass

    @app.exception_handler(Refused)
    async def refuse(websocket: WebSocket, exc: Refused) -> None:
        await websocket.close(code=status.WS_1013_TRY_AGAIN_LATER, reason="busy")

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        raise Refused()

    with pytest.raises(WebSocketDisconnect) as exc, TestClient(app).websocket_connect("/ws"):
        pass
    assert (exc.value.code, exc.value.reason) == (1013, "busy")


def test_a_dependency_override_added_later_is_run() -> None:
    app = VeloxAPI()

    def nothing() -> None:
        return None

    async def refuse() -> None:
        raise HTTPException(status_code=403)

    @app.websocket("/ws", dependencies=[Depends(nothing)])
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("in")
        await websocket.close()

    client = TestClient(app)
    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "in"
    app.dependency_overrides[nothing] = refuse
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws") as ws:
        ws.receive_text()
    app.dependency_overrides.clear()
    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "in"


def test_echo_session_sees_every_message_then_the_disconnect() -> None:
    app = VeloxAPI()
    received: list[str] = []

    @app.websocket("/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            received.append(text)
            await websocket.send_text(text.upper())
        received.append("gone")

    with TestClient(app).websocket_connect("/echo") as ws:
        for text in ("a", "b"):
            ws.send_text(text)
            assert ws.receive_text() == text.upper()
    assert received == ["a", "b", "gone"]


def test_a_keyword_only_socket_parameter_and_a_callable_object_are_served() -> None:
    app = VeloxAPI()

    @app.websocket("/kw")
    async def keyword_only(*, ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("kw")
        await ws.close()

    class Endpoint:
        async def __call__(self, socket: WebSocket) -> None:
            await socket.accept()
            await socket.send_text("object")
            await socket.close()

    app.add_api_websocket_route("/object", Endpoint())
    client = TestClient(app)
    for path, text in (("/kw", "kw"), ("/object", "object")):
        with client.websocket_connect(path) as ws:
            assert ws.receive_text() == text
