"""WebSocket scopes find their route through the router's index, in Starlette's order."""

from collections.abc import Awaitable, Callable

import pytest
from starlette.routing import Match, Mount, WebSocketRoute
from starlette.types import Scope
from starlette.websockets import WebSocketDisconnect

from veloxapi import APIRouter, VeloxAPI, WebSocket
from veloxapi.routing import APIWebSocketRoute
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


def test_routes_are_tried_in_order_whether_static_or_parameterised() -> None:
    app = VeloxAPI()
    app.add_api_websocket_route("/first/{name}", answering("parameterised first"))
    app.add_api_websocket_route("/first/x", answering("static second"))
    app.add_api_websocket_route("/second/x", answering("static first"))
    app.add_api_websocket_route("/second/{name}", answering("parameterised second"))
    app.add_api_websocket_route("/second/x", answering("same static path, later"))
    assert first_text(app, "/first/x") == "parameterised first"
    assert first_text(app, "/second/x") == "static first"
    assert first_text(app, "/second/y") == "parameterised second"


def test_a_static_route_names_itself_and_keeps_the_mounts_path_params() -> None:
    inner = APIRouter()

    @inner.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        scope = websocket.scope
        named = scope["route"] is route and scope["endpoint"] is endpoint
        await websocket.send_json({"named": named, "params": scope["path_params"]})
        await websocket.close()

    route = inner.routes[-1]
    app = VeloxAPI()
    app.mount("/tenant/{tenant}", Mount("", routes=inner.routes))
    with TestClient(app).websocket_connect("/tenant/acme/ws") as websocket:
        assert websocket.receive_json() == {"named": True, "params": {"tenant": "acme"}}


def test_a_path_ending_in_a_newline_matches_as_starlette_matches_it() -> None:
    # Starlette's path regex ends in "$", which also matches before a final newline
    app = VeloxAPI()
    app.add_api_websocket_route("/ws", answering("static"))
    app.add_api_websocket_route("/{rest:path}", answering("catch-all"))
    assert first_text(app, "/ws%0A") == "static"


def test_a_route_class_with_its_own_matches_is_asked() -> None:
    class OnlyOnTuesdays(APIWebSocketRoute):
        def matches(self, scope: Scope) -> tuple[Match, Scope]:
            return Match.NONE, {}

    app = VeloxAPI()
    app.router.routes.append(OnlyOnTuesdays("/ws", answering("never")))
    app.add_api_websocket_route("/ws", answering("the next route"))
    assert first_text(app, "/ws") == "the next route"
