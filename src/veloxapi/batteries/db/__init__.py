"""Database battery: SQLAlchemy 2 asyncio engine, sessions per request, Alembic migrations.

``install_database(app)`` (or ``VeloxAPI(batteries={"db": True})``) reads
``VELOX_DB_*``, makes the engine at start-up and disposes it at shutdown, and
answers 503 with ``Retry-After`` when the connection pool is exhausted. An
endpoint gets its session with ``session: DBSession`` (``SyncDBSession`` in a
``def`` endpoint). The default database is an SQLite file (aiosqlite);
PostgreSQL uses asyncpg. Needs ``pip install "veloxapi[db]"`` (plus
``veloxapi[postgres]`` for PostgreSQL). See ``docs/database.md``.
"""

from __future__ import annotations

try:
    import alembic  # noqa: F401
    import pydantic_settings  # noqa: F401
    import sqlalchemy
    import sqlalchemy.ext.asyncio  # noqa: F401
except ImportError as exc:
    raise ImportError(
        f"veloxapi.batteries.db needs {exc.name}, which is not installed: "
        'pip install "veloxapi[db]"'
    ) from exc

from .database import Database, check_database
from .dependencies import DBSession, SyncDBSession, database_for, get_session, get_sync_session
from .install import install_database
from .models import UUIDPK, Base, IntegerPK, Timestamps, UTCDateTime, utc_now
from .settings import DatabaseSettings

__all__ = [
    "UUIDPK",
    "Base",
    "DBSession",
    "Database",
    "DatabaseSettings",
    "IntegerPK",
    "SyncDBSession",
    "Timestamps",
    "UTCDateTime",
    "check_database",
    "database_for",
    "get_session",
    "get_sync_session",
    "install_database",
    "utc_now",
]
