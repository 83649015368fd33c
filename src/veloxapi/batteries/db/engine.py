"""Engines from settings: the asyncio engine, its synchronous twin, SQLite pragmas.

The driver of each URL is checked when the engine is made, and a missing one
names the extra to install. SQLite connections get foreign keys enforced, a
busy timeout, and (for files) write-ahead logging so readers do not wait for
the writer; an in-memory SQLite database is one shared connection, so it takes
no pool settings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import InvalidRequestError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from veloxapi.batteries.db.settings import DatabaseSettings
from veloxapi.batteries.settings import ConfigurationError

_EXTRAS = {"aiosqlite": "db", "asyncpg": "postgres", "psycopg": "postgres", "psycopg2": "postgres"}
_SYNC_DRIVERS = {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql+psycopg"}
_BUSY_TIMEOUT_MS = 5000


def async_url(settings: DatabaseSettings) -> URL:
    """The asyncio URL of ``settings`` (``postgresql://`` gets asyncpg, ``sqlite://`` aiosqlite)."""
    return make_url(settings.async_url())


def sync_url(settings: DatabaseSettings) -> URL:
    """``VELOX_DB_SYNC_URL``, else ``VELOX_DB_URL`` with the matching synchronous driver."""
    if settings.sync_url is not None:
        return make_url(settings.sync_url.get_secret_value())
    url = async_url(settings)
    driver = _SYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise ConfigurationError(
            [
                f"no synchronous driver is known for {url.drivername!r} (VELOX_DB_URL); "
                "set VELOX_DB_SYNC_URL for synchronous sessions"
            ]
        )
    return url.set(drivername=driver)


def _in_memory_sqlite(url: URL) -> bool:
    if url.get_backend_name() != "sqlite":
        return False
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _pool_options(url: URL, settings: DatabaseSettings, pooled: bool) -> dict[str, Any]:
    if not pooled:
        return {"poolclass": NullPool}
    if _in_memory_sqlite(url):
        return {}
    return {
        "pool_size": settings.pool_size,
        "max_overflow": settings.max_overflow,
        "pool_timeout": settings.pool_timeout,
        "pool_recycle": settings.pool_recycle,
        "pool_pre_ping": settings.pool_pre_ping,
    }


def _engine_options(url: URL, settings: DatabaseSettings, pooled: bool) -> dict[str, Any]:
    options: dict[str, Any] = {"echo": settings.echo, **_pool_options(url, settings, pooled)}
    if url.get_backend_name() == "postgresql":
        key = "timeout" if url.get_driver_name() == "asyncpg" else "connect_timeout"
        timeout = settings.connect_timeout
        options["connect_args"] = {key: timeout if key == "timeout" else max(1, round(timeout))}
    return options


def _missing_driver(url: URL, exc: Exception) -> ImportError:
    driver = url.get_driver_name()
    extra = _EXTRAS.get(driver)
    how = f'pip install "veloxapi[{extra}]"' if extra else f"install the {driver} package"
    return ImportError(
        f"the database URL needs the {driver!r} driver, which is not installed: {how}"
    )


def _sqlite_pragmas(engine: Engine, url: URL) -> None:
    write_ahead = not _in_memory_sqlite(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        if write_ahead:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def create_async_database_engine(settings: DatabaseSettings, *, pooled: bool = True) -> AsyncEngine:
    """The application's asyncio engine; connects lazily, on the first checkout.

    ``pooled=False`` gives an engine whose every connection is new and closed
    after use (readiness checks, migrations).
    """
    url = async_url(settings)
    try:
        engine = create_async_engine(url, **_engine_options(url, settings, pooled))
    except (ImportError, NoSuchModuleError) as exc:
        raise _missing_driver(url, exc) from exc
    except InvalidRequestError as exc:  # a synchronous driver
        raise ConfigurationError(
            [
                f"VELOX_DB_URL uses the synchronous driver {url.drivername!r}; use an asyncio "
                "driver such as postgresql+asyncpg:// or sqlite+aiosqlite://"
            ]
        ) from exc
    if url.get_backend_name() == "sqlite":
        _sqlite_pragmas(engine.sync_engine, url)
    return engine


def create_sync_database_engine(settings: DatabaseSettings) -> Engine:
    """The synchronous engine for ``def`` endpoints, on the same database."""
    url = sync_url(settings)
    try:
        engine = create_engine(url, **_engine_options(url, settings, pooled=True))
    except (ImportError, NoSuchModuleError) as exc:
        raise _missing_driver(url, exc) from exc
    if url.get_backend_name() == "sqlite":
        _sqlite_pragmas(engine, url)
    return engine
