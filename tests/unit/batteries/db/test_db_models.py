"""The declarative base and mixins: keys, timezone-aware timestamps, constraint names."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import String, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from veloxapi.batteries.db import (
    UUIDPK,
    Database,
    DatabaseSettings,
    IntegerPK,
    Timestamps,
    UTCDateTime,
)
from veloxapi.batteries.db.models import NAMING_CONVENTION, Base

pytestmark = pytest.mark.anyio


class ModelBase(DeclarativeBase):
    pass


class Counter(IntegerPK, Timestamps, ModelBase):
    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(20))


class Token(UUIDPK, ModelBase):
    __tablename__ = "tokens"
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime())


@pytest.fixture
async def database() -> AsyncIterator[Database]:
    database = Database(DatabaseSettings(url="sqlite+aiosqlite://"))
    async with database.engine.begin() as connection:
        await connection.run_sync(ModelBase.metadata.create_all)
    yield database
    await database.dispose()


async def test_integer_ids_and_utc_timestamps(database: Database) -> None:
    async with database.session() as session:
        first, second = Counter(name="a"), Counter(name="b")
        session.add_all([first, second])
    assert (first.id, second.id) == (1, 2)
    async with database.session() as session:
        stored = await session.get_one(Counter, 1)
        assert stored.created_at.tzinfo == UTC
        assert stored.updated_at == stored.created_at
        created = stored.created_at
        stored.name = "renamed"
    async with database.session() as session:
        stored = await session.get_one(Counter, 1)
        assert stored.updated_at > created
        assert stored.created_at == created


async def test_uuid_ids_and_other_zones_read_back_in_utc(database: Database) -> None:
    in_paris = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    async with database.session() as session:
        token = Token(expires=in_paris)
        session.add(token)
    assert isinstance(token.id, uuid.UUID)
    async with database.session() as session:
        expires = await session.scalar(select(Token.expires))
    assert expires == in_paris
    assert expires is not None and expires.tzinfo == UTC


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with database.session() as session:
            session.add(Token(expires=datetime(2026, 1, 1)))


def test_base_names_constraints_predictably() -> None:
    assert Base.metadata.naming_convention == NAMING_CONVENTION
