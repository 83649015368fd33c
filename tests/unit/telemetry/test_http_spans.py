"""The SERVER span of an HTTP request: name, attributes, status, trace propagation."""

from __future__ import annotations

import pytest
from opentelemetry.trace import StatusCode

from veloxapi import FastAPI, HTTPException
from veloxapi.testclient import TestClient

from .conftest import Otel


def _app(otel: Otel) -> FastAPI:
    app = FastAPI(telemetry=otel.config)

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    @app.get("/missing")
    async def missing() -> None:
        raise HTTPException(404, "no such thing")

    @app.get("/broken")
    def broken() -> None:
        raise LookupError("the database is gone")

    return app


def test_request_span_is_named_after_the_route_and_carries_http_attributes(otel: Otel) -> None:
    client = TestClient(_app(otel))
    assert client.get("/items/7?q=1&sig=secret").json() == {"item_id": 7}
    span = otel.server_span()
    assert span.name == "GET /items/{item_id}"
    assert span.attributes is not None
    assert dict(span.attributes) == {
        "http.request.method": "GET",
        "http.route": "/items/{item_id}",
        "http.response.status_code": 200,
        "url.scheme": "http",
        "url.path": "/items/7",
        "url.query": "q=1&sig=REDACTED",
        "network.protocol.version": "1.1",
        "server.address": "testserver",
        "server.port": 80,
    }
    assert span.status.status_code is StatusCode.UNSET


def test_a_client_error_is_not_a_span_error(otel: Otel) -> None:
    assert TestClient(_app(otel)).get("/missing").status_code == 404
    span = otel.server_span()
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 404
    assert "error.type" not in span.attributes
    assert span.status.status_code is StatusCode.UNSET


def test_an_unhandled_exception_marks_the_span_failed_with_its_type(otel: Otel) -> None:
    client = TestClient(_app(otel), raise_server_exceptions=False)
    assert client.get("/broken").status_code == 500
    span = otel.server_span()
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 500
    assert span.attributes["error.type"] == "LookupError"
    assert span.status.status_code is StatusCode.ERROR
    assert not span.events  # the exception goes to the logs, not into span events


def test_an_unknown_path_has_no_route(otel: Otel) -> None:
    assert TestClient(_app(otel)).get("/nowhere").status_code == 404
    span = otel.server_span()
    assert span.name == "GET"
    assert span.attributes is not None
    assert "http.route" not in span.attributes


def test_an_unknown_method_is_reported_as_other(otel: Otel) -> None:
    TestClient(_app(otel)).request("BREW", "/items/1")
    span = otel.server_span()
    assert span.name.startswith("HTTP")
    assert span.attributes is not None
    assert span.attributes["http.request.method"] == "_OTHER"
    assert span.attributes["http.request.method_original"] == "BREW"


def test_the_incoming_trace_context_is_the_parent(otel: Otel) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    header = f"00-{trace_id}-00f067aa0ba902b7-01"
    TestClient(_app(otel)).get("/items/1", headers={"traceparent": header})
    span = otel.server_span()
    assert format(span.context.trace_id, "032x") == trace_id
    assert span.parent is not None and span.parent.span_id == int("00f067aa0ba902b7", 16)


def test_a_mounted_app_reports_under_the_outer_request_with_the_full_route(otel: Otel) -> None:
    outer = FastAPI(telemetry=otel.config)
    inner = FastAPI(telemetry=otel.config)

    @inner.get("/users/{name}")
    async def user(name: str) -> str:
        return name

    outer.mount("/v1", inner)
    assert TestClient(outer).get("/v1/users/ada").json() == "ada"
    span = otel.server_span()  # exactly one SERVER span
    assert span.name == "GET /v1/users/{name}"


@pytest.mark.parametrize("tracing", [True, False])
def test_tracing_false_emits_no_spans_but_keeps_metrics(otel: Otel, tracing: bool) -> None:
    app = FastAPI(telemetry={**otel.config, "tracing": tracing})

    @app.get("/")
    async def root() -> str:
        return "ok"

    TestClient(app).get("/")
    assert bool(otel.finished()) is tracing
    assert len(otel.points("http.server.request.duration")) == 1
