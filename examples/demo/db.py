"""The demo's database: ``VELOX_DB_URL`` when set, else an SQLite file under ``.data/``.

The tables are created at start-up when missing, so ``make run`` needs no
set-up. A real service would run ``velox db upgrade`` from its deployment
instead (see docs/database.md); ``create_all`` never alters an existing table.
"""

from __future__ import annotations

import os

from veloxapi.batteries.db import Base, Database, DatabaseSettings
from veloxapi.batteries.settings import load_settings

from .config import DemoSettings


def database_settings(settings: DemoSettings) -> DatabaseSettings:
    """The database battery's settings, defaulting to the demo's SQLite file."""
    if os.environ.get("VELOX_DB_URL"):
        return load_settings(DatabaseSettings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "inventory.sqlite3"
    return load_settings(DatabaseSettings, url=f"sqlite+aiosqlite:///{path}")


async def create_tables(database: Database) -> None:
    """Create the tables that do not exist yet (idempotent)."""
    from . import inventory  # noqa: F401  (registers the models on Base.metadata)

    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
