"""Fixtures of the database battery's end-to-end tests: one database URL per backend.

``database_url`` is parametrized: an SQLite file in the test's temporary folder,
and a PostgreSQL database created for this test session (dropped afterwards).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.databases import fresh_postgres_database


@pytest.fixture(scope="session")
def postgres_database(postgres_dsn: str) -> Iterator[str]:
    with fresh_postgres_database(postgres_dsn, "velox_db_e2e") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'e2e.sqlite3'}"
    return str(request.getfixturevalue("postgres_database"))
