"""An application exercising the database battery, built per test with its own settings."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from sqlalchemy import String, func, select, text
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from veloxapi import BackgroundTasks, HTTPException, VeloxAPI
from veloxapi.batteries.db import (
    DatabaseSettings,
    DBSession,
    IntegerPK,
    SyncDBSession,
    Timestamps,
    database_for,
)
from veloxapi.responses import StreamingResponse


class E2EBase(DeclarativeBase):
    pass


class Item(IntegerPK, Timestamps, E2EBase):
    __tablename__ = "e2e_items"
    name: Mapped[str] = mapped_column(String(50))


async def _uses_closed_session(session: AsyncSession) -> bool:
    try:
        await session.execute(text("SELECT 1"))
    except InvalidRequestError:
        return True
    return False


def build_app(settings: DatabaseSettings, **batteries: Any) -> VeloxAPI:
    @asynccontextmanager
    async def lifespan(app: VeloxAPI) -> AsyncIterator[None]:
        engine = database_for(app).engine  # made by the battery before this code runs
        async with engine.begin() as connection:
            await connection.run_sync(E2EBase.metadata.create_all)
        yield
        async with engine.begin() as connection:
            await connection.run_sync(E2EBase.metadata.drop_all)

    app = VeloxAPI(lifespan=lifespan, batteries={"db": settings, **batteries})
    app.state.sessions = []

    @app.post("/items")
    async def add_item(name: str, session: DBSession, fail: str = "no") -> dict[str, Any]:
        item = Item(name=name)
        session.add(item)
        await session.flush()
        if fail == "error":
            raise RuntimeError("the endpoint failed after writing")
        if fail == "http":
            raise HTTPException(409, "refused after writing")
        return {"id": item.id, "created_at": item.created_at.isoformat()}

    @app.post("/items/committed-by-endpoint")
    async def add_and_commit(name: str, session: DBSession) -> dict[str, str]:
        session.add(Item(name=name))
        await session.commit()
        return {"name": name}

    @app.post("/items/sync")
    def add_item_sync(name: str, session: SyncDBSession) -> dict[str, int]:
        item = Item(name=name)
        session.add(item)
        session.flush()
        return {"id": item.id}

    @app.get("/items/count")
    async def count(session: DBSession) -> dict[str, int]:
        return {"count": await session.scalar(select(func.count()).select_from(Item)) or 0}

    @app.get("/hold")
    async def hold(session: DBSession, seconds: float) -> dict[str, bool]:
        await session.execute(text("SELECT 1"))
        await anyio.sleep(seconds)
        return {"held": True}

    @app.get("/hold-sync")
    def hold_sync(session: SyncDBSession, seconds: float) -> dict[str, bool]:
        session.execute(text("SELECT 1"))
        time.sleep(seconds)
        return {"held": True}

    @app.get("/items/sync/count")
    def count_sync(session: SyncDBSession) -> dict[str, int]:
        return {"count": session.scalar(select(func.count()).select_from(Item)) or 0}

    @app.get("/stream")
    async def stream(session: DBSession) -> StreamingResponse:
        app.state.sessions.append(session)

        async def names() -> AsyncIterator[bytes]:
            for name in await session.scalars(select(Item.name).order_by(Item.id)):
                yield name.encode() + b"\n"

        return StreamingResponse(names(), media_type="text/plain")

    @app.post("/items/background")
    async def add_in_background(
        name: str, session: DBSession, tasks: BackgroundTasks
    ) -> dict[str, str]:
        app.state.sessions.append(session)

        async def write_later() -> None:
            app.state.background_saw_closed = await _uses_closed_session(session)
            session.add(Item(name=name))
            await session.commit()

        tasks.add_task(write_later)
        return {"scheduled": name}

    @app.get("/last-session-closed")
    async def last_session_closed() -> dict[str, bool]:
        return {"closed": await _uses_closed_session(app.state.sessions[-1])}

    return app
