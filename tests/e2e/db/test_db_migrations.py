"""Alembic migrations up and down through the battery, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, inspect

from veloxapi.batteries.db import DatabaseSettings
from veloxapi.batteries.db.engine import create_async_database_engine
from veloxapi.batteries.db.migrations import (
    MigrationConfig,
    current,
    downgrade,
    revision,
    upgrade,
)


def _metadata(*columns: str) -> MetaData:
    metadata = MetaData()
    Table(
        "mig_notes",
        metadata,
        Column("id", Integer, primary_key=True),
        *(Column(name, String(100)) for name in columns),
    )
    return metadata


def _columns(settings: DatabaseSettings) -> dict[str, list[str]]:
    async def read() -> dict[str, list[str]]:
        engine = create_async_database_engine(settings, pooled=False)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync: {
                        table: [column["name"] for column in inspect(sync).get_columns(table)]
                        for table in inspect(sync).get_table_names()
                        if table != "alembic_version"
                    }
                )
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_revisions_upgrade_and_downgrade(database_url: str, tmp_path: Path) -> None:
    settings = DatabaseSettings(url=database_url)
    scripts = tmp_path / "migrations"
    first = MigrationConfig(_metadata("title"), settings, scripts)
    assert current(first) == ()

    created = revision(first, "notes", autogenerate=True)
    assert (scripts / "env.py").exists()
    upgrade(first)
    assert current(first) == (created,)
    assert _columns(settings) == {"mig_notes": ["id", "title"]}

    second = MigrationConfig(_metadata("title", "body"), settings, scripts)
    added = revision(second, "body", autogenerate=True)
    upgrade(second)
    assert current(second) == (added,)
    assert _columns(settings)["mig_notes"] == ["id", "title", "body"]

    downgrade(second, "-1")
    assert current(second) == (created,)
    assert _columns(settings)["mig_notes"] == ["id", "title"]
    downgrade(second, "base")
    assert current(second) == ()
    assert _columns(settings) == {}
