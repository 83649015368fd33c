"""Metrics: parsed back with prometheus-client's own parser, labelled by route template."""

from __future__ import annotations

import socket

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from veloxapi.batteries import ConfigurationError, augment_app
from veloxapi.batteries.metrics import MetricsSettings


async def item(request: Request) -> JSONResponse:
    return JSONResponse({"id": request.path_params["item_id"]})


def build_app() -> Starlette:
    return Starlette(routes=[Route("/items/{item_id}", item, methods=["GET", "POST"])])


def samples(text: str, name: str) -> list[Sample]:
    return [
        sample
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


def value(text: str, name: str, **labels: str) -> float:
    matching = [s.value for s in samples(text, name) if labels.items() <= s.labels.items()]
    return sum(matching)


def test_counts_and_latency_by_route_template() -> None:
    app = build_app()
    augment_app(app, metrics=True)
    client = TestClient(app)
    for item_id in ("1", "2", "3"):
        client.get(f"/items/{item_id}")
    client.post("/items/4")
    client.get("/no/such/page")
    text = client.get("/metrics").text

    counted = dict(route="/items/{item_id}", status="200")
    assert value(text, "velox_http_requests_total", method="GET", **counted) == 3
    assert value(text, "velox_http_requests_total", method="POST", **counted) == 1
    assert value(text, "velox_http_requests_total", route="<unmatched>", status="404") == 1
    assert value(text, "velox_http_request_duration_seconds_count", method="GET", **counted) == 3
    buckets = samples(text, "velox_http_request_duration_seconds_bucket")
    assert {s.labels["le"] for s in buckets} >= {"0.005", "10.0", "+Inf"}
    routes = {s.labels["route"] for s in samples(text, "velox_http_requests_total")}
    assert routes == {"/items/{item_id}", "<unmatched>"}


def test_in_progress_gauge_counts_the_scrape_itself() -> None:
    app = build_app()
    augment_app(app, metrics=True)
    text = TestClient(app).get("/metrics").text
    assert value(text, "velox_http_requests_in_progress", method="GET") == 1


def test_exposition_content_type() -> None:
    app = build_app()
    augment_app(app, metrics=True)
    response = TestClient(app).get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")


def test_token_protects_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_METRICS_TOKEN", "scrape-me")
    app = build_app()
    augment_app(app, metrics=True)
    client = TestClient(app)
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    allowed = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert allowed.status_code == 200
    assert "velox_http_requests_total" in allowed.text


def test_custom_path_and_namespace() -> None:
    app = build_app()
    augment_app(app, metrics=MetricsSettings(path="/internal/prom", namespace="shop"))
    client = TestClient(app)
    client.get("/items/1")
    assert client.get("/metrics").status_code == 404
    text = client.get("/internal/prom").text
    assert value(text, "shop_http_requests_total", route="/items/{item_id}") == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_separate_port_serves_metrics_during_lifespan() -> None:
    port = free_port()
    app = build_app()
    augment_app(app, metrics=MetricsSettings(port=port, host="127.0.0.1"))
    with TestClient(app) as client:
        client.get("/items/1")
        assert client.get("/metrics").status_code == 404
        text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert value(text, "velox_http_requests_total", route="/items/{item_id}") == 1
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/metrics")


def test_invalid_metrics_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_METRICS_PORT", "99999")
    monkeypatch.setenv("VELOX_METRICS_NAMESPACE", "bad-name")
    monkeypatch.setenv("VELOX_METRICS_TOKEN", "")
    monkeypatch.setenv("VELOX_METRICS_TOKN", "typo")
    app = build_app()
    with pytest.raises(ConfigurationError) as caught:
        augment_app(app, metrics=True)
    message = str(caught.value)
    assert "VELOX_METRICS_PORT=99999" in message or "VELOX_METRICS_PORT='99999'" in message
    assert "VELOX_METRICS_NAMESPACE='bad-name'" in message
    assert "VELOX_METRICS_TOKN is not a known setting" in message
    assert app.user_middleware == []


def test_taken_port_stops_start_up_with_a_clear_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app = build_app()
        augment_app(app, metrics=MetricsSettings(port=port, host="127.0.0.1"))
        refused = pytest.raises(ConfigurationError, match=f"VELOX_METRICS_PORT={port} cannot")
        with refused, TestClient(app):
            pass
