"""Errors battery through a real Starlette app and Starlette's TestClient."""

from __future__ import annotations

import logging

import anyio
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from veloxapi.batteries.errors import (
    AlreadyExists,
    AuthenticationRequired,
    ErrorSettings,
    NotFound,
    ServiceUnavailable,
    Unprocessable,
    install_errors,
)

RAISERS: dict[str, BaseException] = {
    "value": ValueError("config value postgres://u:hunter2@db is invalid"),
    "permission": PermissionError("[Errno 13] Permission denied: '/etc/app/secret.key'"),
    "key": KeyError("db_password"),
    "type": TypeError("unsupported operand secret_internal"),
    "notimpl": NotImplementedError("export of ledger_secret is coming"),
    "auth": AuthenticationRequired(),
    "notfound": NotFound("order 3 not found"),
    "dup": AlreadyExists("email already registered"),
    "unproc": Unprocessable("order is closed"),
    "down": ServiceUnavailable("payments are down", retry_after=30),
    "boom": RuntimeError("connection string postgres://u:hunter2@db"),
    "http": HTTPException(418, "teapot"),
}
SECRETS = ("hunter2", "secret", "db_password", "Errno", "Traceback", "ValueError", "RuntimeError")


async def raiser(request: Request) -> JSONResponse:
    raise RAISERS[request.path_params["name"]]


async def stream_then_fail(request: Request) -> StreamingResponse:
    async def body():  # type: ignore[no-untyped-def]
        yield b"partial"
        raise RuntimeError("mid-stream")

    return StreamingResponse(body())


def make_client(**settings: object) -> TestClient:
    app = Starlette(routes=[Route("/raise/{name}", raiser), Route("/stream", stream_then_fail)])
    install_errors(app, ErrorSettings(**settings))  # type: ignore[arg-type]
    return TestClient(app)


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("value", 500, "internal_error"),
        ("permission", 500, "internal_error"),
        ("key", 500, "internal_error"),
        ("type", 500, "internal_error"),
        ("notimpl", 500, "internal_error"),
        ("auth", 401, "unauthenticated"),
        ("notfound", 404, "not_found"),
        ("dup", 409, "conflict"),
        ("unproc", 422, "unprocessable"),
        ("down", 503, "unavailable"),
        ("boom", 500, "internal_error"),
        ("http", 418, "i'm_a_teapot"),
    ],
)
def test_mapping_and_single_body_shape(name: str, status: int, code: str) -> None:
    response = make_client().get(f"/raise/{name}", headers={"X-Request-ID": "req-42"})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "status", "code", "request_id"}
    assert body["status"] == status
    assert body["code"] == code
    assert body["request_id"] == "req-42"


def test_named_errors_expose_their_message() -> None:
    client = make_client()
    assert client.get("/raise/notfound").json()["detail"] == "order 3 not found"
    assert client.get("/raise/down").json()["detail"] == "payments are down"


@pytest.mark.parametrize("name", ["value", "permission", "key", "type", "notimpl", "boom"])
@pytest.mark.parametrize("problem_json", [False, True])
def test_builtin_exceptions_from_app_code_are_500_without_internals(
    name: str, problem_json: bool
) -> None:
    response = make_client(problem_json=problem_json).get(f"/raise/{name}")
    assert response.status_code == 500
    body = response.json()
    assert body["detail"] == "Internal Server Error"
    assert body["request_id"] == response.headers["x-request-id"]
    for secret in SECRETS:
        assert secret not in response.text


def test_unhandled_500_generates_request_id_when_client_sent_none() -> None:
    response = make_client().get("/raise/boom")
    request_id = response.json()["request_id"]
    assert len(request_id) == 32
    assert response.headers["x-request-id"] == request_id


@pytest.mark.parametrize(
    "candidate",
    [
        "req-42",
        "trace:span/7+x=y@host",
        "x" * 128,
        "x" * 129,
        "a b",
        "<script>",
        "id\x7f",
        "caf\u00e9",
    ],
)
def test_client_request_id_follows_the_request_id_battery_rule(candidate: str) -> None:
    from veloxapi.batteries.request_id import RequestIdSettings, install_request_id

    headers = [("x-request-id", candidate.encode("latin-1"))]
    alone = make_client().get("/raise/boom", headers=headers).json()["request_id"]
    with_battery = Starlette(routes=[Route("/raise/{name}", raiser)])
    install_errors(with_battery, ErrorSettings())
    install_request_id(with_battery, RequestIdSettings())
    response = TestClient(with_battery).get("/raise/boom", headers=headers)
    reused = response.headers["x-request-id"] == candidate
    assert (alone == candidate) is reused
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_headers_of_named_errors() -> None:
    client = make_client()
    assert client.get("/raise/auth").headers["www-authenticate"] == "Bearer"
    assert client.get("/raise/down").headers["retry-after"] == "30"


def test_problem_json() -> None:
    client = make_client(problem_json=True, problem_type_base="https://errors.example/")
    response = client.get("/raise/notfound", headers={"X-Request-ID": "r1"})
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://errors.example/not_found",
        "title": "Not Found",
        "status": 404,
        "detail": "order 3 not found",
        "instance": "/raise/notfound",
        "code": "not_found",
        "request_id": "r1",
    }
    assert make_client(problem_json=True).get("/raise/boom").json()["type"] == "about:blank"


def test_unknown_route_uses_the_same_shape() -> None:
    response = make_client().get("/nowhere")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_each_error_logged_once_at_fitting_level(caplog: pytest.LogCaptureFixture) -> None:
    client = make_client()
    with caplog.at_level(logging.DEBUG):
        client.get("/raise/notfound")
        client.get("/raise/down")
        client.get("/raise/boom")
    records = [r for r in caplog.records if r.name == "veloxapi.errors"]
    assert [r.levelno for r in records] == [logging.INFO, logging.WARNING, logging.ERROR]
    assert records[-1].exc_info is not None


def test_failure_after_response_started_is_not_swallowed() -> None:
    with pytest.raises(RuntimeError, match="mid-stream"):
        make_client().get("/stream")


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_ERRORS_PROBLEM_JSON", "true")
    monkeypatch.setenv("VELOX_ERRORS_CLIENT_ERROR_LEVEL", "WARNING")
    settings = ErrorSettings()
    assert settings.problem_json is True
    assert settings.client_error_level == "WARNING"


def test_request_id_comes_from_the_request_id_battery() -> None:
    from veloxapi.batteries.request_id import RequestIdSettings, install_request_id

    app = Starlette(routes=[Route("/raise/{name}", raiser)])
    install_errors(app, ErrorSettings())
    install_request_id(app, RequestIdSettings())  # added last: outermost
    response = TestClient(app).get("/raise/boom")
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert response.headers.get_list("x-request-id") == [response.json()["request_id"]]


def test_pydantic_validation_error_in_a_route_is_a_500_without_data() -> None:
    from pydantic import BaseModel

    class Row(BaseModel):
        balance: int

    async def broken(request: Request) -> JSONResponse:
        Row.model_validate({"balance": "ssn-123-45-6789"})
        return JSONResponse({})

    app = Starlette(routes=[Route("/row", broken)])
    install_errors(app, ErrorSettings())
    response = TestClient(app).get("/row")
    assert response.status_code == 500
    assert "ssn" not in response.text


def test_debug_apps_keep_the_traceback_page() -> None:
    app = Starlette(debug=True, routes=[Route("/raise/{name}", raiser)])
    install_errors(app, ErrorSettings())
    response = TestClient(app, raise_server_exceptions=False).get("/raise/boom")
    assert response.status_code == 500
    assert "RuntimeError" in response.text


def test_a_client_leaving_mid_body_is_logged_quietly_and_not_answered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from starlette.requests import ClientDisconnect

    async def reads_body(request: Request) -> JSONResponse:
        raise ClientDisconnect()

    sent: list[dict[str, object]] = []
    app = Starlette(routes=[Route("/upload", reads_body, methods=["POST"])])
    install_errors(app, ErrorSettings())
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/upload",
        "raw_path": b"/upload",
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "app": app,
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    with caplog.at_level(logging.DEBUG, logger="veloxapi.errors"):
        anyio.run(app, scope, receive, send)  # type: ignore[arg-type]
    assert sent == []
    records = [r for r in caplog.records if r.name == "veloxapi.errors"]
    assert [(r.levelno, r.exc_info) for r in records] == [(logging.INFO, None)]
    assert "left before the response" in records[0].getMessage()
