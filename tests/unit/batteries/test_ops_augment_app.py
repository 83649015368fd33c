"""augment_app: one call, every battery's settings checked first, one error listing all."""

from __future__ import annotations

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic_settings import SettingsConfigDict
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from veloxapi.batteries import Batteries, ConfigurationError, augment_app, get_request_id
from veloxapi.batteries.app import install_batteries
from veloxapi.batteries.health import HealthSettings
from veloxapi.batteries.metrics import MetricsSettings
from veloxapi.batteries.settings import BatterySettings, build_settings, load_settings


async def item(request: Request) -> JSONResponse:
    return JSONResponse({"request_id": get_request_id()})


def build_app() -> Starlette:
    return Starlette(routes=[Route("/items/{item_id}", item)])


def test_all_operations_batteries_together(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VELOX_CORS_ALLOW_ORIGINS", "https://app.example")
    app = build_app()
    batteries = augment_app(
        app,
        logging=True,
        request_id=True,
        metrics=True,
        health=True,
        security_headers=True,
        cors=True,
    )
    assert isinstance(batteries, Batteries)
    assert sorted(batteries.settings) == [
        "cors",
        "health",
        "logging",
        "metrics",
        "request_id",
        "security_headers",
    ]
    client = TestClient(app)
    response = client.get(
        "/items/1", headers={"X-Request-ID": "all-1", "Origin": "https://app.example"}
    )
    assert response.json() == {"request_id": "all-1"}
    assert response.headers["x-request-id"] == "all-1"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert client.get("/running").json() == {"running": True}
    metrics_text = client.get("/metrics").text
    families = {f.name for f in text_string_to_metric_families(metrics_text)}
    assert "velox_http_requests" in families
    access = [
        json.loads(line)
        for line in capsys.readouterr().err.splitlines()
        if '"veloxapi.access"' in line
    ]
    assert access[0]["request_id"] == "all-1"
    assert access[0]["route"] == "/items/{item_id}"


def test_problems_of_all_batteries_in_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_METRICS_PORT", "not-a-port")
    monkeypatch.setenv("VELOX_HEALTH_TIMEOUT", "0")
    monkeypatch.setenv("VELOX_LOGGING_FORMAT", "yaml")
    app = build_app()
    with pytest.raises(ConfigurationError) as caught:
        augment_app(app, logging=True, metrics=True, health=True, cors=True, request_id=True)
    problems = caught.value.problems
    assert len(problems) == 4
    message = str(caught.value)
    assert message.startswith("4 configuration problems:")
    for name in (
        "VELOX_LOGGING_FORMAT='yaml'",
        "VELOX_METRICS_PORT='not-a-port'",
        "VELOX_HEALTH_TIMEOUT='0'",
        "VELOX_CORS_ALLOW_ORIGINS is required but not set",
    ):
        assert name in message
    assert app.user_middleware == []
    assert app.routes == build_app().routes


def test_settings_instances_and_off_switches() -> None:
    app = build_app()
    batteries = augment_app(app, metrics=MetricsSettings(path="/prom"), health=False, logging=None)
    assert batteries.metrics is not None
    assert batteries.health is None
    client = TestClient(app)
    assert client.get("/prom").status_code == 200
    assert client.get("/running").status_code == 404


def test_wrong_option_type_is_reported() -> None:
    with pytest.raises(ConfigurationError) as caught:
        augment_app(build_app(), metrics=HealthSettings(), health="yes")  # type: ignore[arg-type]
    assert caught.value.problems == [
        "augment_app(metrics=...) expects True, False, None or a MetricsSettings instance, "
        "got HealthSettings(liveness_path='/running', readiness_path='/readyz', "
        "version_path='/version', timeout=2.0, postgres_url=None, redis_url=None, "
        "database=True, check_stores=True, version=None, package=None)",
        "augment_app(health=...) expects True, False, None or a HealthSettings instance, got 'yes'",
    ]


def test_code_arguments_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_METRICS_PATH", "/from-env")
    assert load_settings(MetricsSettings).path == "/from-env"
    assert load_settings(MetricsSettings, path="/from-code").path == "/from-code"
    settings, problems = build_settings(MetricsSettings, pathh="/typo")
    assert settings is None
    assert problems == ["MetricsSettings() got an unknown argument 'pathh'"]


def test_secret_values_never_appear_in_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    class VaultSettings(BatterySettings):
        model_config = SettingsConfigDict(env_prefix="VELOX_VAULT_")
        password: int = 0

    monkeypatch.setenv("VELOX_VAULT_PASSWORD", "hunter2")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(VaultSettings)
    assert "hunter2" not in str(caught.value)
    assert "VELOX_VAULT_PASSWORD=(value hidden)" in str(caught.value)


def test_b_batteries_are_wired_through_the_registry() -> None:
    batteries = augment_app(build_app(), errors=True)
    assert type(batteries.settings["errors"]).__name__ == "ErrorSettings"


def test_mapping_form_reports_unknown_batteries() -> None:
    with pytest.raises(ConfigurationError) as caught:
        install_batteries(build_app(), {"metrics": True, "metrix": True})
    assert caught.value.problems == [
        "'metrix' is not a battery; choose from auth, cache, cors, db, deprecation, errors, "
        "health, logging, metrics, offload, rate_limit, request_id, security_headers"
    ]
    app = build_app()
    assert install_batteries(app, {"metrics": True}).metrics is not None
    assert TestClient(app).get("/metrics").status_code == 200
