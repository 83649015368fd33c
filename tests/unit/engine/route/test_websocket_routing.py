"""WebSocket scopes find their route through the router's index, in Starlette's order."""

from collections.abc import Awaitable, Callable

import pytest
from starlette.routing import Mount, WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from veloxapi import APIRouter, VeloxAPI, WebSocket
from veloxapi.testclient import TestClient


def answering(text: str) -> Callable[[WebSocket], Awaitable[None]]:
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(text)
        await websocket.close()

    return endpoint


def first_text(app: VeloxAPI, path: str) -> str:
    with TestClient(app).websocket_connect(path) as websocket:
        return websocket.receive_text()


def test_first_matching_route_wins_across_mounts_and_routes() -> None:
    inner = APIRouter()
    inner.add_api_websocket_route("/ws", answering("mounted"))
    app = VeloxAPI()
    app.get("/sub/ws")(lambda: "http route with the same path")
    app.mount("/sub", Mount("", routes=inner.routes))
    app.add_api_websocket_route("/sub/ws", answering("declared after the mount"))
    app.add_api_websocket_route("/other/{name}", answering("parameterised"))
    assert first_text(app, "/sub/ws") == "mounted"
    assert first_text(app, "/other/x") == "parameterised"


def test_routes_added_after_a_session_are_found() -> None:
    app = VeloxAPI()
    app.add_api_websocket_route("/a", answering("a"))
    assert first_text(app, "/a") == "a"
    app.router.routes.insert(0, WebSocketRoute("/a", answering("inserted first")))
    app.add_api_websocket_route("/b", answering("b"))
    assert first_text(app, "/a") == "inserted first"
    assert first_text(app, "/b") == "b"


def test_unknown_websocket_path_is_still_refused() -> None:
    app = VeloxAPI()
    app.get("/ws")(lambda: "http only")
    with pytest.raises(WebSocketDisconnect), TestClient(app).websocket_connect("/ws"):
        pass


def test_exception_handler_applies_to_a_session_without_cleanup() -> None:
    class Refused(Exception):
        pass

    app = VeloxAPI()

    @app.exception_handler(Refused)
    async def close_it(websocket: WebSocket, exc: Refused) -> None:
        await websocket.close(code=4001, reason="refused")

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        raise Refused

    with (
        TestClient(app).websocket_connect("/ws") as websocket,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        websocket.receive_text()
    assert closed.value.code == 4001
