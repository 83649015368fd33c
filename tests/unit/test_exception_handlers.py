"""The default exception handlers' answers, served by a small Starlette app."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.types import ASGIApp
from starlette.websockets import WebSocket, WebSocketDisconnect

from veloxapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
    websocket_request_validation_exception_handler,
)
from veloxapi.exceptions import (
    HTTPException,
    RequestValidationError,
    WebSocketRequestValidationError,
)

Serve = Callable[[ASGIApp], AbstractContextManager[str]]

ERRORS = [
    {
        "type": "greater_than",
        "loc": ("body", 0, "age"),
        "msg": "too small",
        "ctx": {"gt": Decimal(0)},
    }
]


async def raise_http(request: Request) -> None:
    status = int(request.path_params["status"])
    raise HTTPException(status, detail={"why": "because"}, headers={"x-reason": "test"})


async def raise_validation(request: Request) -> None:
    raise RequestValidationError(ERRORS, body={"age": -1})


async def ws_validation(websocket: WebSocket) -> None:
    await websocket.accept()
    raise WebSocketRequestValidationError(ERRORS)


async def on_ws_validation(websocket: WebSocket, exc: Exception) -> None:
    assert isinstance(exc, WebSocketRequestValidationError)
    await websocket_request_validation_exception_handler(websocket, exc)


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = Starlette(
        routes=[
            Route("/http/{status}", raise_http),
            Route("/validation", raise_validation),
            WebSocketRoute("/ws", ws_validation),
        ],
        exception_handlers={
            HTTPException: http_exception_handler,  # type: ignore[dict-item]
            RequestValidationError: request_validation_exception_handler,  # type: ignore[dict-item]
            WebSocketRequestValidationError: on_ws_validation,
        },
    )
    return TestClient(app)


@pytest.mark.parametrize("status", [400, 404, 418, 503])
def test_http_exception_answers_detail_as_json_with_headers(
    client: TestClient, status: int
) -> None:
    response = client.get(f"/http/{status}")
    assert response.status_code == status
    assert response.json() == {"detail": {"why": "because"}}
    assert response.headers["x-reason"] == "test"


@pytest.mark.parametrize("status", [204, 205, 304])
def test_http_exception_without_body_for_bodiless_statuses(client: TestClient, status: int) -> None:
    response = client.get(f"/http/{status}")
    assert response.status_code == status
    assert response.content == b""
    assert response.headers["x-reason"] == "test"


def test_request_validation_error_answers_422_with_encoded_errors(client: TestClient) -> None:
    response = client.get("/validation")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than",
                "loc": ["body", 0, "age"],
                "msg": "too small",
                "ctx": {"gt": 0},
            }
        ]
    }


def test_websocket_validation_error_closes_with_1008_and_errors(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/ws") as ws:
        ws.receive_text()
    assert closed.value.code == 1008
    assert json.loads(closed.value.reason) == [
        {"type": "greater_than", "loc": ["body", 0, "age"], "msg": "too small", "ctx": {"gt": 0}}
    ]


MANY_ERRORS = [
    {"type": "missing", "loc": ("query", f"param{i}"), "msg": "Field required", "input": None}
    for i in range(5)
]


async def ws_many_errors(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket_request_validation_exception_handler(
        websocket, WebSocketRequestValidationError(MANY_ERRORS)
    )


def many_errors_app() -> Starlette:
    return Starlette(routes=[WebSocketRoute("/ws", ws_many_errors)])


def test_websocket_long_error_list_is_summarised_to_fit_a_close_frame() -> None:
    client = TestClient(many_errors_app())
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/ws") as ws:
        ws.receive_text()
    assert closed.value.code == 1008
    reason = closed.value.reason
    assert len(reason.encode()) <= 123
    assert reason.startswith("5 validation errors: query.param0 (missing), query.param1 (missing)")
    assert reason.endswith("...")


def test_websocket_long_error_list_closes_cleanly_on_a_real_server(serve: Serve) -> None:
    ws_client = pytest.importorskip("websockets.sync.client")
    exceptions = pytest.importorskip("websockets.exceptions")
    with (
        serve(many_errors_app()) as host,
        ws_client.connect(f"ws://{host}/ws") as ws,
        pytest.raises(exceptions.ConnectionClosed) as closed,
    ):
        ws.recv(timeout=10)
    received = closed.value.rcvd
    assert received is not None
    assert received.code == 1008
    assert received.reason.startswith("5 validation errors: ")
