"""Logging: JSON lines with request ids, one access line per request, secrets redacted."""

from __future__ import annotations

import logging

import pytest
from ops_helpers import LogCapture
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from veloxapi.batteries import ConfigurationError, augment_app
from veloxapi.batteries.logging import (
    AccessLogMiddleware,
    LoggingSettings,
    RedactingFilter,
    configure_logging,
)
from veloxapi.batteries.request_id import RequestIdMiddleware
from veloxapi.batteries.settings import load_settings

log = logging.getLogger("tests.ops.app")


async def item(request: Request) -> JSONResponse:
    log.info("loading item %s", request.path_params["item_id"], extra={"item": 7})
    return JSONResponse({"id": request.path_params["item_id"]})


async def leaky(request: Request) -> PlainTextResponse:
    log.warning(
        "login attempt password=hunter2 with Authorization: Bearer abc.def.ghi",
        extra={
            "headers": {"Authorization": "Basic dXNlcjpwdw==", "Cookie": "session=s3cr3t"},
            "api_key": "key-123456",
            "ssn": "078-05-1120",
            "user": "ada",
        },
    )
    return PlainTextResponse("ok")


def in_thread(request: Request) -> PlainTextResponse:
    log.info("sync endpoint, run in a worker thread")
    return PlainTextResponse("ok")


async def boom(request: Request) -> PlainTextResponse:
    raise RuntimeError("endpoint failed")


def build_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/items/{item_id}", item),
            Route("/leaky", leaky),
            Route("/boom", boom),
            Route("/thread", in_thread),
        ]
    )


def make_client(capture: LogCapture, **settings: object) -> TestClient:
    configure_logging(LoggingSettings(**settings), stream=capture.stream)  # type: ignore[arg-type]
    app = build_app()
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return TestClient(app, raise_server_exceptions=False)


def test_records_during_a_request_carry_its_id(log_capture: LogCapture) -> None:
    response = make_client(log_capture).get("/items/42", headers={"X-Request-ID": "req-1"})
    assert response.status_code == 200
    app_record = next(r for r in log_capture.records() if r["logger"] == "tests.ops.app")
    assert app_record["message"] == "loading item 42"
    assert app_record["request_id"] == "req-1"
    assert app_record["item"] == 7
    assert app_record["level"] == "INFO"
    assert log_capture.access()[0]["request_id"] == "req-1"


def test_records_from_worker_threads_carry_the_id(log_capture: LogCapture) -> None:
    make_client(log_capture).get("/thread", headers={"X-Request-ID": "thread-1"})
    record = next(r for r in log_capture.records() if r["logger"] == "tests.ops.app")
    assert record["request_id"] == "thread-1"


def test_one_access_line_per_request_with_route_template(log_capture: LogCapture) -> None:
    client = make_client(log_capture)
    client.get("/items/1")
    client.get("/items/2")
    lines = log_capture.access()
    assert len(lines) == 2
    first = lines[0]
    assert first["method"] == "GET"
    assert first["route"] == "/items/{item_id}"
    assert first["status"] == 200
    assert first["response_size"] == len(b'{"id":"1"}')
    assert first["latency_ms"] >= 0
    assert first["client"] == "testclient:50000"
    assert first["message"] == "GET /items/{item_id} 200"


def test_unmatched_and_failing_requests_are_logged(log_capture: LogCapture) -> None:
    client = make_client(log_capture)
    assert client.get("/nowhere/secret-looking-path").status_code == 404
    assert client.get("/boom").status_code == 500
    missing, failed = log_capture.access()
    assert (missing["route"], missing["status"]) == ("<unmatched>", 404)
    assert (failed["route"], failed["status"]) == ("/boom", 500)
    assert "secret-looking-path" not in str(log_capture.access())


def test_secrets_are_redacted(log_capture: LogCapture) -> None:
    make_client(log_capture, redact_fields="ssn").get("/leaky")
    text = log_capture.text
    for secret in ("hunter2", "abc.def.ghi", "dXNlcjpwdw==", "s3cr3t", "key-123456", "078-05-1120"):
        assert secret not in text
    record = next(r for r in log_capture.records() if r["logger"] == "tests.ops.app")
    assert record["message"] == (
        "login attempt password=[REDACTED] with Authorization: Bearer [REDACTED]"
    )
    assert record["headers"] == {"Authorization": "[REDACTED]", "Cookie": "[REDACTED]"}
    assert record["api_key"] == "[REDACTED]"
    assert record["ssn"] == "[REDACTED]"
    assert record["user"] == "ada"


def test_redaction_of_header_lists_and_cookie_text() -> None:
    redactor = RedactingFilter(["x-internal"])
    headers = [(b"cookie", b"a=1; b=2"), (b"accept", b"*/*"), (b"x-internal", b"v")]
    assert redactor.redact_value("headers", headers) == [
        (b"cookie", "[REDACTED]"),
        (b"accept", b"*/*"),
        (b"x-internal", "[REDACTED]"),
    ]
    assert redactor.redact_text("cookie: a=1; b=2 next") == "cookie: [REDACTED] next"
    assert redactor.redact_text('{"x-api-key": "k1"}') == '{"x-api-key": "[REDACTED]"}'


def test_names_ending_in_a_secret_word_are_redacted() -> None:
    redactor = RedactingFilter()
    assert redactor.redact_value("extra", {"db_password": "p", "user_id": 3}) == {
        "db_password": "[REDACTED]",
        "user_id": 3,
    }
    assert redactor.redact_value("items", [{"csrf_token": "t"}, "plain"]) == [
        {"csrf_token": "[REDACTED]"},
        "plain",
    ]
    assert redactor.redact_text("x-csrf-token: t1 tokens=5") == "x-csrf-token: [REDACTED] tokens=5"


def test_text_format_for_development(log_capture: LogCapture) -> None:
    make_client(log_capture, format="text").get("/items/5", headers={"X-Request-ID": "dev-1"})
    lines = log_capture.text.splitlines()
    app_line = next(line for line in lines if "tests.ops.app" in line)
    assert "INFO" in app_line
    assert "loading item 5" in app_line
    assert "[request_id=dev-1]" in app_line
    access_line = next(line for line in lines if "veloxapi.access" in line)
    assert "GET /items/{item_id} 200" in access_line
    assert "status=200" in access_line


def test_level_filters_records(log_capture: LogCapture) -> None:
    make_client(log_capture, level="warning").get("/items/5")
    assert log_capture.records() == []


def test_augment_app_logs_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    app = build_app()
    augment_app(app, logging=True, request_id=True)
    TestClient(app).get("/items/9", headers={"X-Request-ID": "via-augment"})
    err = capsys.readouterr().err
    assert '"request_id": "via-augment"' in err
    assert '"route": "/items/{item_id}"' in err


def test_invalid_settings_name_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_LOGGING_LEVEL", "LOUD")
    monkeypatch.setenv("VELOX_LOGGING_FORMAT", "xml")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(LoggingSettings)
    problems = "\n".join(caught.value.problems)
    assert "VELOX_LOGGING_LEVEL='LOUD'" in problems
    assert "VELOX_LOGGING_FORMAT='xml'" in problems


def test_secrets_in_python_reprs_are_redacted(log_capture: LogCapture) -> None:
    configure_logging(LoggingSettings(), stream=log_capture.stream)
    headers = {"authorization": "Bearer tok-1", "cookie": "sid=c00kie", "x-api-key": "k-42"}
    scope_headers = [(b"authorization", b"Basic dXNlcg=="), (b"accept", b"*/*")]
    log.info("headers %s", headers)
    log.info("scope %s", scope_headers)
    log.info(f"inline {headers!r} {scope_headers!r}")
    text = log_capture.text
    for secret in ("tok-1", "c00kie", "k-42", "dXNlcg=="):
        assert secret not in text
    messages = [r["message"] for r in log_capture.records()]
    assert messages[0] == (
        "headers {'authorization': '[REDACTED]', 'cookie': '[REDACTED]', 'x-api-key': '[REDACTED]'}"
    )
    assert "(b'accept', b'*/*')" in messages[1]
    assert "(b'authorization', b'[REDACTED]')" in messages[2]
