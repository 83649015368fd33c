"""Database settings and engines: environment variables, drivers, mistakes reported at start-up."""

from __future__ import annotations

import pytest

from veloxapi import VeloxAPI
from veloxapi.batteries import augment_app
from veloxapi.batteries.db import Database, DatabaseSettings
from veloxapi.batteries.db.engine import create_async_database_engine, sync_url
from veloxapi.batteries.settings import ConfigurationError, load_settings


def test_default_is_an_sqlite_file_through_aiosqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VELOX_DB_URL", raising=False)
    settings = load_settings(DatabaseSettings)
    assert settings.async_url() == "sqlite+aiosqlite:///velox.sqlite3"
    assert str(sync_url(settings)) == "sqlite:///velox.sqlite3"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_DB_URL", "postgresql://app:pw@db.internal/orders")
    monkeypatch.setenv("VELOX_DB_POOL_SIZE", "20")
    monkeypatch.setenv("VELOX_DB_POOL_TIMEOUT", "2.5")
    settings = load_settings(DatabaseSettings)
    assert settings.async_url() == "postgresql+asyncpg://app:pw@db.internal/orders"
    assert sync_url(settings).drivername == "postgresql+psycopg"
    engine = create_async_database_engine(settings)
    pool = engine.pool
    assert (pool.size(), pool.timeout()) == (20, 2.5)  # type: ignore[attr-defined]


def test_bad_values_are_listed_together_and_the_url_is_not_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VELOX_DB_URL", "not a url with secret-pw")
    monkeypatch.setenv("VELOX_DB_POOL_SIZE", "0")
    monkeypatch.setenv("VELOX_DB_POOL_SIZ", "3")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(DatabaseSettings)
    message = str(caught.value)
    assert "VELOX_DB_URL=(value hidden)" in message
    assert "VELOX_DB_POOL_SIZE='0'" in message
    assert "VELOX_DB_POOL_SIZ is not a known setting" in message
    assert "secret-pw" not in message


def test_battery_misconfiguration_fails_before_anything_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VELOX_DB_MAX_OVERFLOW", "-1")
    app = VeloxAPI()
    with pytest.raises(ConfigurationError, match="VELOX_DB_MAX_OVERFLOW='-1'"):
        augment_app(app, db=True)
    assert not hasattr(app.state, "velox_database")


def test_a_synchronous_driver_is_refused_with_the_fix() -> None:
    settings = DatabaseSettings(url="sqlite+pysqlite:///x.sqlite3")
    with pytest.raises(ConfigurationError, match="synchronous driver 'sqlite\\+pysqlite'"):
        create_async_database_engine(settings)


def test_a_missing_driver_names_what_to_install() -> None:
    with pytest.raises(ImportError, match="asyncmy"):
        create_async_database_engine(DatabaseSettings(url="mysql+asyncmy://u@h/db"))


def test_sync_url_can_be_given_when_it_cannot_be_derived() -> None:
    settings = DatabaseSettings(url="mysql+asyncmy://u@h/db")
    with pytest.raises(ConfigurationError, match="VELOX_DB_SYNC_URL"):
        sync_url(settings)
    given = DatabaseSettings(url="mysql+asyncmy://u@h/db", sync_url="mysql+pymysql://u@h/db")
    assert sync_url(given).drivername == "mysql+pymysql"


def test_augment_app_installs_the_database() -> None:
    app = VeloxAPI()
    batteries = augment_app(app, db=DatabaseSettings(url="sqlite+aiosqlite://"))
    assert isinstance(batteries.db, Database)
    assert batteries.db.settings.async_url() == "sqlite+aiosqlite://"
