"""Alembic environment written by veloxapi: migrations over the asyncio engine.

The database URL and the models' metadata come from ``velox db`` (or from
``VELOX_DB_URL`` / ``VELOX_DB_METADATA`` when Alembic runs this file itself).
Edit freely: this file belongs to your project now.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from veloxapi.batteries.db.engine import create_async_database_engine
from veloxapi.batteries.db.migrations import migration_target, render_item

target = migration_target(context.config)
target_metadata = target.target_metadata()


def run_offline() -> None:
    """Write the SQL of the migrations instead of running them (``--sql``)."""
    url = target.settings.async_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    """Run the migrations on one connection of a pool-less asyncio engine."""
    engine = create_async_database_engine(target.settings, pooled=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
