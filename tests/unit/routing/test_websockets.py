"""WebSockets: parameters, dependencies, routers, validation errors (close 1008)."""

import json
from collections.abc import Callable, Iterator
from typing import Annotated

import pytest

from veloxapi import (
    APIRouter,
    Cookie,
    Depends,
    Header,
    Query,
    VeloxAPI,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    status,
)
from veloxapi.testclient import TestClient


def build_app(events: list[str]) -> VeloxAPI:
    app = VeloxAPI()

    def resource() -> Iterator[str]:
        events.append("open")
        yield "res"
        events.append("close")

    def token_or_cookie(
        token: Annotated[str | None, Query()] = None,
        session: Annotated[str | None, Cookie()] = None,
    ) -> str:
        value = token or session
        if value is None:
            raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason="no token")
        return value

    @app.websocket("/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            try:
                text = await websocket.receive_text()
            except WebSocketDisconnect:
                events.append("disconnected")
                return
            await websocket.send_text(f"echo: {text}")

    @app.websocket("/items/{item_id}")
    async def item(
        websocket: WebSocket,
        item_id: int,
        q: Annotated[int | None, Query()] = None,
        user_agent: Annotated[str | None, Header()] = None,
        token: Annotated[str, Depends(token_or_cookie)] = "",
        res: Annotated[str, Depends(resource)] = "",
    ) -> None:
        await websocket.accept()
        await websocket.send_json(
            {"item_id": item_id, "q": q, "token": token, "res": res, "ua": user_agent}
        )
        await websocket.close()

    router = APIRouter(prefix="/r")

    @router.websocket("/ws")
    async def routed(websocket: WebSocket, name: str = "anon") -> None:
        await websocket.accept()
        await websocket.send_text(f"hello {name}")
        await websocket.close()

    app.include_router(router)
    return app


def test_echo_round_trip_and_disconnect() -> None:
    events: list[str] = []
    client = TestClient(build_app(events))
    with client.websocket_connect("/echo") as ws:
        ws.send_text("one")
        assert ws.receive_text() == "echo: one"
        ws.send_text("two")
        assert ws.receive_text() == "echo: two"
    assert events == ["disconnected"]


def test_websocket_params_and_dependencies() -> None:
    events: list[str] = []
    client = TestClient(build_app(events))
    with client.websocket_connect("/items/5?q=2&token=t", headers={"User-Agent": "ws-test"}) as ws:
        assert ws.receive_json() == {
            "item_id": 5,
            "q": 2,
            "token": "t",
            "res": "res",
            "ua": "ws-test",
        }
    assert events == ["open", "close"]


def test_websocket_cookie_dependency() -> None:
    client = TestClient(build_app([]))
    with client.websocket_connect("/items/1", headers={"Cookie": "session=s"}) as ws:
        assert ws.receive_json()["token"] == "s"


def test_websocket_exception_from_dependency_closes_with_its_code() -> None:
    client = TestClient(build_app([]))
    with pytest.raises(WebSocketDisconnect) as info, client.websocket_connect("/items/1") as ws:
        ws.receive_json()
    assert info.value.code == status.WS_1008_POLICY_VIOLATION
    assert info.value.reason == "no token"


def test_websocket_validation_error_closes_with_1008() -> None:
    client = TestClient(build_app([]))
    with (
        pytest.raises(WebSocketDisconnect) as info,
        client.websocket_connect("/items/abc?token=t") as ws,
    ):
        ws.receive_json()
    assert info.value.code == status.WS_1008_POLICY_VIOLATION
    # The reason names the failing parameter (as JSON errors, or a summary when too long
    # for a close frame).
    assert "item_id" in info.value.reason
    assert "int_parsing" in info.value.reason


def test_websocket_query_validation_error_closes_with_1008() -> None:
    client = TestClient(build_app([]))
    with (
        pytest.raises(WebSocketDisconnect) as info,
        client.websocket_connect("/items/1?q=x&token=t") as ws,
    ):
        ws.receive_json()
    assert info.value.code == status.WS_1008_POLICY_VIOLATION
    assert "query" in info.value.reason


def test_websocket_on_included_router() -> None:
    client = TestClient(build_app([]))
    with client.websocket_connect("/r/ws?name=bo") as ws:
        assert ws.receive_text() == "hello bo"


def test_websocket_router_dependencies_run() -> None:
    calls: list[str] = []

    def guard(websocket: WebSocket) -> None:
        calls.append(websocket.url.path)

    app = VeloxAPI()
    router = APIRouter(dependencies=[Depends(guard)])

    @router.websocket("/guarded")
    async def guarded(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("in")
        await websocket.close()

    app.include_router(router, prefix="/p")
    with TestClient(app).websocket_connect("/p/guarded") as ws:
        assert ws.receive_text() == "in"
    assert calls == ["/p/guarded"]


def test_websocket_dependency_override() -> None:
    def real() -> str:
        return "real"

    app = VeloxAPI()

    @app.websocket("/ws")
    async def ws_endpoint(websocket: WebSocket, value: Annotated[str, Depends(real)]) -> None:
        await websocket.accept()
        await websocket.send_text(value)
        await websocket.close()

    app.dependency_overrides[real] = lambda: "fake"
    with TestClient(app).websocket_connect("/ws") as ws:
        assert ws.receive_text() == "fake"


def test_websocket_to_unknown_path_is_refused() -> None:
    client = TestClient(build_app([]))
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/nowhere") as ws:
        ws.receive_text()


def test_sync_websocket_dependency() -> None:
    def sync_dep(websocket: WebSocket) -> str:
        return websocket.query_params.get("v", "none")

    app = VeloxAPI()

    @app.websocket("/ws")
    async def ws_endpoint(websocket: WebSocket, v: Annotated[str, Depends(sync_dep)]) -> None:
        await websocket.accept()
        await websocket.send_text(v)
        await websocket.close()

    with TestClient(app).websocket_connect("/ws?v=x") as ws:
        assert ws.receive_text() == "x"


def test_short_validation_error_reason_is_the_json_errors() -> None:
    app = VeloxAPI()

    @app.websocket("/ws")
    async def ws_endpoint(websocket: WebSocket, n: int) -> None:
        await websocket.accept()  # pragma: no cover

    with (
        pytest.raises(WebSocketDisconnect) as info,
        TestClient(app).websocket_connect("/ws") as ws,
    ):
        ws.receive_text()
    assert info.value.code == status.WS_1008_POLICY_VIOLATION
    assert json.loads(info.value.reason) == [
        {"type": "missing", "loc": ["query", "n"], "msg": "Field required", "input": None}
    ]


def test_custom_exception_handler_for_websocket_errors() -> None:
    class CustomError(Exception):
        pass

    async def handler(websocket: WebSocket, exc: CustomError) -> None:
        await websocket.close(1002, "custom")

    def dep() -> None:
        raise CustomError

    app = VeloxAPI(exception_handlers={CustomError: handler})

    @app.websocket("/ws")
    async def ws_endpoint(websocket: WebSocket, _: Annotated[None, Depends(dep)]) -> None:
        await websocket.accept()  # pragma: no cover

    with (
        pytest.raises(WebSocketDisconnect) as info,
        TestClient(app).websocket_connect("/ws") as ws,
    ):
        ws.receive_text()
    assert info.value.code == 1002
    assert info.value.reason == "custom"


def test_validation_error_over_uvicorn_rejects_the_handshake_and_server_keeps_serving(
    live_server: Callable[..., str],
) -> None:
    """Closing before accept is a handshake rejection on a real server (HTTP 403, as in
    FastAPI); valid connections keep working afterwards."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    app = VeloxAPI()

    @app.websocket("/ws/{item_id}")
    async def ws_endpoint(
        websocket: WebSocket,
        item_id: int,
        first_long_parameter_name: int,
        second_long_parameter_name: int,
    ) -> None:
        await websocket.accept()
        await websocket.send_text(f"{item_id}")
        await websocket.close()

    base = live_server(app).replace("http://", "ws://")
    with pytest.raises(InvalidStatus) as info:
        connect(f"{base}/ws/not-a-number?first_long_parameter_name=x", open_timeout=5)
    assert info.value.response.status_code == 403
    good = f"{base}/ws/7?first_long_parameter_name=1&second_long_parameter_name=2"
    with connect(good, open_timeout=5) as ws:
        assert ws.recv(timeout=5) == "7"
