"""A PostgreSQL database of one's own: created with a unique name, dropped afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url

from support.services import unavailable


@contextmanager
def fresh_postgres_database(dsn: str, prefix: str = "velox_test") -> Iterator[str]:
    """Create ``<prefix>_<random>`` on the server of ``dsn``; yield its asyncpg URL; drop it."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    server = make_url(dsn).set(drivername="postgresql")
    admin = server.render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        unavailable(f"cannot create a PostgreSQL database at {server.host}: {exc}")
    try:
        url = server.set(drivername="postgresql+asyncpg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
