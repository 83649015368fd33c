"""Log records: validation failures and unhandled exceptions, correlated with the span."""

from __future__ import annotations

from opentelemetry._logs import SeverityNumber

from veloxapi import FastAPI
from veloxapi.testclient import TestClient

from .conftest import Otel


def _app(otel: Otel, **extra: object) -> FastAPI:
    app = FastAPI(telemetry={**otel.config, **extra})

    @app.get("/items/{item_id}")
    def read_item(item_id: int) -> int:
        if item_id == 0:
            raise ZeroDivisionError("item 0 divides by nothing")
        return item_id

    return app


def test_a_validation_failure_is_a_warning_with_the_error_count(otel: Otel) -> None:
    assert TestClient(_app(otel)).get("/items/abc").status_code == 422
    (data,) = otel.records()
    record = data.log_record
    assert record.event_name == "fastapi.validation.failed"
    assert record.severity_number is SeverityNumber.WARN
    assert record.attributes is not None
    assert record.attributes["fastapi.validation.error_count"] == 1
    assert record.attributes["http.route"] == "/items/{item_id}"
    assert record.trace_id == otel.server_span().context.trace_id


def test_an_unhandled_exception_is_an_error_record_with_its_stack(otel: Otel) -> None:
    client = TestClient(_app(otel), raise_server_exceptions=False)
    assert client.get("/items/0").status_code == 500
    (data,) = otel.records()
    record = data.log_record
    assert record.event_name == "http.server.request.exception"
    assert record.severity_number is SeverityNumber.ERROR
    assert record.attributes is not None
    assert record.attributes["exception.type"] == "ZeroDivisionError"
    assert record.attributes["exception.message"] == "item 0 divides by nothing"
    assert "raise ZeroDivisionError" in str(record.attributes["exception.stacktrace"])
    assert record.span_id == otel.server_span().context.span_id


def test_logs_false_emits_no_records(otel: Otel) -> None:
    client = TestClient(_app(otel, logs=False), raise_server_exceptions=False)
    client.get("/items/abc")
    client.get("/items/0")
    assert otel.records() == []
    assert len([s for s in otel.finished() if s.name.startswith("GET")]) == 2
