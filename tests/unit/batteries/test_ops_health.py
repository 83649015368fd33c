"""Health: liveness, readiness with concurrent timed checks, version."""

from __future__ import annotations

import importlib.metadata
import os
import socket
import time

import anyio
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from veloxapi.batteries import ConfigurationError, augment_app
from veloxapi.batteries.health import HealthChecks, HealthSettings, install_health

PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def make(settings: HealthSettings | None = None) -> tuple[TestClient, HealthChecks]:
    app = Starlette()
    batteries = augment_app(app, health=settings or True)
    assert batteries.health is not None
    return TestClient(app), batteries.health


def test_liveness() -> None:
    client, _ = make()
    response = client.get("/running")
    assert response.status_code == 200
    assert response.json() == {"running": True}


def test_ready_without_checks() -> None:
    client, _ = make()
    assert client.get("/readyz").json() == {"ready": True, "failed": [], "checks": {}}


def test_failing_checks_answer_503_listing_them() -> None:
    client, checks = make(HealthSettings(timeout=0.2))

    async def fine() -> None:
        await anyio.sleep(0)

    async def broken() -> None:
        raise ConnectionError("cannot reach queue at user:pw@host")

    async def stuck() -> None:
        await anyio.sleep(30)

    checks.add("fine", fine)
    checks.add("broken", broken)
    checks.add("stuck", stuck)
    checks.add("sync_false", lambda: False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["ready"] is False
    assert body["failed"] == ["broken", "stuck", "sync_false"]
    assert body["checks"]["fine"] == {"ok": True}
    assert body["checks"]["broken"] == {"ok": False, "error": "ConnectionError"}
    assert body["checks"]["stuck"] == {"ok": False, "error": "timed out after 0.2s"}
    assert body["checks"]["sync_false"] == {"ok": False, "error": "check reported failure"}
    assert "pw@host" not in response.text


def test_checks_run_concurrently_under_their_own_timeouts() -> None:
    client, checks = make(HealthSettings(timeout=5))
    started: list[str] = []

    async def waits_for_other(name: str, other: str) -> None:
        started.append(name)
        with anyio.fail_after(5):
            while other not in started:
                await anyio.sleep(0.01)

    checks.add("a", lambda: waits_for_other("a", "b"))
    checks.add("b", lambda: waits_for_other("b", "a"))
    checks.add("slow_sync", lambda: time.sleep(5), timeout=0.1)
    body = client.get("/readyz").json()
    assert body["checks"]["a"] == {"ok": True}
    assert body["checks"]["b"] == {"ok": True}
    assert body["failed"] == ["slow_sync"]


def test_duplicate_check_name_is_refused() -> None:
    _, checks = make()
    checks.add("db", lambda: True)
    with pytest.raises(ConfigurationError, match="'db' is already registered"):
        checks.add("db", lambda: True)


def postgres_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


def test_postgres_check_against_real_server() -> None:
    if not postgres_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is required at 127.0.0.1:5432 when CI=true")
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432")
    client, _ = make(HealthSettings(postgres_url=PG_URL))
    assert client.get("/readyz").json()["checks"] == {"postgres": {"ok": True}}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    down, _ = make(HealthSettings(postgres_url=f"postgresql://postgres@127.0.0.1:{closed_port}/x"))
    response = down.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["postgres"]


def test_version_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_HEALTH_VERSION", "2026.11.1+abc123")
    client, _ = make()
    assert client.get("/version").json() == {"version": "2026.11.1+abc123"}


def test_version_from_package_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_HEALTH_PACKAGE", "pydantic")
    client, _ = make()
    assert client.get("/version").json() == {"version": importlib.metadata.version("pydantic")}


def test_version_from_app_attribute() -> None:
    app = Starlette()
    app.version = "3.1.4"  # type: ignore[attr-defined]
    install_health(app, HealthSettings())
    assert TestClient(app).get("/version").json() == {"version": "3.1.4"}


def test_unknown_package_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_HEALTH_PACKAGE", "no-such-distribution-xyz")
    monkeypatch.setenv("VELOX_HEALTH_REDIS_URL", "")
    with pytest.raises(ConfigurationError) as caught:
        augment_app(Starlette(), health=True)
    message = str(caught.value)
    assert "VELOX_HEALTH_PACKAGE='no-such-distribution-xyz'" in message
    assert "VELOX_HEALTH_REDIS_URL=(value hidden)" in message


def test_custom_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_HEALTH_LIVENESS_PATH", "/livez")
    client, _ = make()
    assert client.get("/livez").json() == {"running": True}
    assert client.get("/running").status_code == 404
