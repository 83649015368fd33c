"""HTTP server metrics: request duration histogram and active request counter."""

from __future__ import annotations

from veloxapi import FastAPI
from veloxapi.testclient import TestClient

from .conftest import Otel


def test_duration_is_recorded_in_seconds_with_the_request_attributes(otel: Otel) -> None:
    app = FastAPI(telemetry=otel.config)

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> int:
        return item_id

    client = TestClient(app)
    client.get("/items/1")
    client.get("/items/2")
    client.get("/items/nope")
    metric = otel.metric("http.server.request.duration")
    assert metric.unit == "s"
    points = {p.attributes["http.response.status_code"]: p for p in metric.data.data_points}
    assert points[200].count == 2 and points[422].count == 1
    assert dict(points[200].attributes) == {
        "http.request.method": "GET",
        "http.route": "/items/{item_id}",
        "http.response.status_code": 200,
        "url.scheme": "http",
        "network.protocol.version": "1.1",
    }
    assert list(points[200].explicit_bounds)[:3] == [0.005, 0.01, 0.025]


def test_active_requests_go_up_during_a_request_and_back_down(otel: Otel) -> None:
    app = FastAPI(telemetry=otel.config)
    during: list[int] = []

    @app.get("/")
    async def root() -> str:
        (point,) = otel.points("http.server.active_requests")
        during.append(point.value)
        return "ok"

    TestClient(app).get("/")
    (point,) = otel.points("http.server.active_requests")
    assert during == [1] and point.value == 0
    assert otel.metric("http.server.active_requests").unit == "{request}"


def test_metrics_false_records_none(otel: Otel) -> None:
    app = FastAPI(telemetry={**otel.config, "metrics": False})

    @app.get("/")
    async def root() -> str:
        return "ok"

    TestClient(app).get("/")
    assert otel.points("http.server.request.duration") == []
    assert len(otel.finished()) > 0
