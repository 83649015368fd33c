"""Sessions per request, the engine's lifetime, pool gauges and readiness (in process)."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from support.processes import free_port
from veloxapi import VeloxAPI
from veloxapi.batteries.db import DatabaseSettings, DBSession, database_for, install_database
from veloxapi.batteries.metrics import metrics_for
from veloxapi.testclient import TestClient


def _sqlite(tmp_path: Path) -> DatabaseSettings:
    return DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'unit.sqlite3'}")


def _gauges(exposition: str) -> dict[tuple[str, str], float]:
    return {
        (sample.name, sample.labels.get("engine", "")): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name.startswith("velox_db_pool")
    }


def test_engine_made_at_startup_and_disposed_at_shutdown(tmp_path: Path) -> None:
    app = VeloxAPI()
    database = install_database(app, _sqlite(tmp_path))
    assert database_for(app) is database
    with TestClient(app):
        started = database.engine
        assert database.engine is started  # one engine for the application's life
    assert database.engine is not started  # disposed at shutdown; a new one on next use


def test_session_works_without_the_lifespan(tmp_path: Path) -> None:
    app = VeloxAPI()
    install_database(app, _sqlite(tmp_path))

    @app.get("/one")
    async def one(session: DBSession) -> int:
        return int(await session.scalar(text("SELECT 1")) or 0)

    assert TestClient(app).get("/one").json() == 1


def test_pool_usage_is_reported_to_the_metrics_battery(tmp_path: Path) -> None:
    app = VeloxAPI(batteries={"db": _sqlite(tmp_path), "metrics": True})

    @app.get("/while-busy")
    async def while_busy(session: DBSession) -> str:
        await session.execute(text("SELECT 1"))
        metrics = metrics_for(app)
        assert metrics is not None
        return metrics.exposition().decode()

    with TestClient(app) as client:
        during = _gauges(client.get("/while-busy").json())
        after = _gauges(client.get("/metrics").text)
    assert during[("velox_db_pool_checked_out", "async")] == 1
    assert during[("velox_db_pool_size", "async")] == 5
    assert after[("velox_db_pool_checked_out", "async")] == 0
    assert after[("velox_db_pool_overflow", "async")] == 0


def test_readiness_fails_when_the_database_is_unreachable() -> None:
    url = f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none"
    app = VeloxAPI(batteries={"db": DatabaseSettings(url=url), "health": True})
    with TestClient(app) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["database"]
    assert "nobody" not in ready.text


def test_readiness_check_can_be_turned_off(tmp_path: Path) -> None:
    from veloxapi.batteries.health import HealthSettings

    app = VeloxAPI(batteries={"db": _sqlite(tmp_path), "health": HealthSettings(database=False)})
    with TestClient(app) as client:
        assert client.get("/readyz").json()["checks"] == {}


def test_overflow_connections_are_reported_while_open(tmp_path: Path) -> None:
    settings = DatabaseSettings(
        url=f"sqlite+aiosqlite:///{tmp_path / 'overflow.sqlite3'}", pool_size=1, max_overflow=1
    )
    app = VeloxAPI(batteries={"db": settings, "metrics": True})

    @app.get("/two-at-once")
    async def two_at_once() -> str:
        database = database_for(app)
        async with database.session() as first, database.session() as second:
            await first.execute(text("SELECT 1"))
            await second.execute(text("SELECT 1"))
            metrics = metrics_for(app)
            assert metrics is not None
            return metrics.exposition().decode()

    with TestClient(app) as client:
        during = _gauges(client.get("/two-at-once").json())
        after = _gauges(client.get("/metrics").text)
    assert during[("velox_db_pool_checked_out", "async")] == 2
    assert during[("velox_db_pool_overflow", "async")] == 1
    assert after[("velox_db_pool_checked_out", "async")] == 0
    assert after[("velox_db_pool_overflow", "async")] == 0
