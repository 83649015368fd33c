"""One connection config: the shared Redis URL, readiness of the batteries' stores, DSNs."""

from __future__ import annotations

import socket

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from veloxapi.batteries import ConfigurationError, augment_app
from veloxapi.batteries.cache import CacheSettings
from veloxapi.batteries.health import HealthSettings
from veloxapi.batteries.ratelimit import RateLimitSettings

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_every_battery_uses_the_shared_redis_url(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    monkeypatch.setenv("VELOX_REDIS_URL", redis_url)
    monkeypatch.setenv("VELOX_CACHE_BACKEND", "redis")
    monkeypatch.setenv("VELOX_RATELIMIT_BACKEND", "redis")
    monkeypatch.setenv("VELOX_RATELIMIT_REDIS_URL", "redis://127.0.0.1:6379/5")
    batteries = augment_app(Starlette(), cache=True, rate_limit=True)
    assert batteries.installed["cache"].stores()[0].url == redis_url
    assert batteries.installed["rate_limit"].stores()[0].url == "redis://127.0.0.1:6379/5"


def test_a_bad_shared_redis_url_fails_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_REDIS_URL", "http://cache.internal:6379")
    monkeypatch.setenv("VELOX_CACHE_BACKEND", "redis")
    with pytest.raises(ConfigurationError) as caught:
        augment_app(Starlette(), cache=True)
    assert "VELOX_REDIS_URL: scheme 'http' is not Redis" in str(caught.value)


def test_readiness_checks_the_stores_the_batteries_use_once(redis_url: str) -> None:
    app = Starlette()
    augment_app(
        app,
        cache=CacheSettings(backend="redis", redis_url=redis_url),
        rate_limit=RateLimitSettings(backend="redis", redis_url=redis_url),
        health=True,
    )
    response = TestClient(app).get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"redis": {"ok": True}}


def test_readiness_fails_when_a_batterys_store_is_down() -> None:
    app = Starlette()
    down = f"redis://127.0.0.1:{closed_port()}/0"
    augment_app(app, rate_limit=RateLimitSettings(backend="redis", redis_url=down), health=True)
    response = TestClient(app).get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]


def test_store_checks_can_be_turned_off() -> None:
    app = Starlette()
    down = f"redis://127.0.0.1:{closed_port()}/0"
    augment_app(
        app,
        rate_limit=RateLimitSettings(backend="redis", redis_url=down),
        health=HealthSettings(check_stores=False),
    )
    assert TestClient(app).get("/readyz").json()["checks"] == {}


def test_sqlalchemy_postgres_dsn_is_normalised_and_works(postgres_dsn: str) -> None:
    settings = HealthSettings(postgres_url=PG_URL)
    assert settings.postgres_url is not None
    plain = settings.postgres_url.get_secret_value()
    assert plain == "postgresql://postgres@127.0.0.1:5432/postgres"
    app = Starlette()
    augment_app(
        app, health=HealthSettings(postgres_url=postgres_dsn.replace("://", "+asyncpg://", 1))
    )
    assert TestClient(app).get("/readyz").json()["checks"] == {"postgres": {"ok": True}}


def test_a_dsn_that_is_not_postgres_is_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VELOX_HEALTH_POSTGRES_URL", "mysql://root@127.0.0.1/app")
    with pytest.raises(ConfigurationError) as caught:
        augment_app(Starlette(), health=True)
    message = str(caught.value)
    assert "VELOX_HEALTH_POSTGRES_URL=(value hidden)" in message
    assert "scheme 'mysql' is not PostgreSQL" in message
    assert "root@" not in message
