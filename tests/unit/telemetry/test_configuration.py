"""``telemetry=`` settings: defaults, validation, excludes, and nothing at all when off."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import pytest

from veloxapi import FastAPI
from veloxapi.exceptions import FastAPIError
from veloxapi.telemetry import TelemetryConfig
from veloxapi.testclient import TestClient

from .conftest import Otel


def _served(app: FastAPI) -> FastAPI:
    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> int:
        return item_id

    return app


def test_every_problem_in_the_settings_is_reported_at_once() -> None:
    settings: Any = {"tracing": "yes", "metric": True, "exclude": "/health"}
    with pytest.raises(FastAPIError) as caught:
        FastAPI(telemetry=settings)
    message = str(caught.value)
    assert "unknown key 'metric'" in message
    assert "'tracing' must be True or False, got 'yes'" in message
    assert "'exclude' must be a function" in message


def test_the_environment_turns_auto_configure_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTAPI_OTEL_AUTO_CONFIGURE", "true")
    assert FastAPI()._telemetry["auto_configure"] is True
    assert FastAPI(telemetry={"auto_configure": False})._telemetry["auto_configure"] is False


def test_without_telemetry_there_is_no_layer_and_no_plan_step() -> None:
    app = _served(FastAPI())
    client = TestClient(app)
    assert client.get("/items/3").json() == 3
    assert app.telemetry_observer is None
    # OpenTelemetry is loaded in this process but nothing configured it: dormant, no layer
    assert app._telemetry_runtime is None or app._telemetry_runtime.observer is None
    route = next(r for r in app.routes if getattr(r, "path", "") == "/items/{item_id}")
    assert route.current_plan().observer is None


def test_all_signals_off_is_the_same_as_no_telemetry(otel: Otel) -> None:
    config = {**otel.config, "tracing": False, "metrics": False, "logs": False}
    app = _served(FastAPI(telemetry=config))
    assert TestClient(app).get("/items/3").json() == 3
    assert app._telemetry_runtime is None
    assert otel.finished() == [] and otel.points("http.server.request.duration") == []


def test_with_telemetry_the_plan_carries_the_observer(otel: Otel) -> None:
    app = _served(FastAPI(telemetry=otel.config))
    TestClient(app).get("/items/3")
    route = next(r for r in app.routes if getattr(r, "path", "") == "/items/{item_id}")
    assert route.current_plan().observer is app.telemetry_observer is not None


def test_an_excluded_request_reports_nothing(otel: Otel) -> None:
    seen: list[str] = []

    def exclude(scope: MutableMapping[str, Any]) -> bool:
        seen.append(scope["path"])
        return bool(scope["path"].startswith("/items/1"))

    config: TelemetryConfig = {**otel.config, "exclude": exclude}
    client = TestClient(_served(FastAPI(telemetry=config)))
    assert client.get("/items/1").json() == 1
    assert client.get("/items/2").json() == 2
    assert seen == ["/items/1", "/items/2"]
    assert [s.attributes["url.path"] for s in otel.finished() if s.name.startswith("GET")] == [
        "/items/2"
    ]
    (point,) = otel.points("http.server.request.duration")
    assert point.count == 1
