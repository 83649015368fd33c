"""One application's database: its engines, session factories and readiness check.

The asyncio engine is made by :meth:`Database.start` (the application's
start-up) and disposed by :meth:`Database.dispose` (its shutdown); a session
asked for before start-up, as in a test client used without ``with``, makes it
on first use. The synchronous engine is made the first time a synchronous
session is asked for.

Sessions are made with ``expire_on_commit=False``, so objects stay readable
after the commit while the response is serialized, and with
``close_resets_only=False``, so a session used after it was closed raises
instead of quietly opening a connection nobody will return to the pool.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

import anyio
import anyio.to_thread
from pydantic import SecretStr
from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker as sync_sessionmaker_type

from veloxapi.batteries.db.engine import (
    create_async_database_engine,
    create_sync_database_engine,
)
from veloxapi.batteries.db.settings import DatabaseSettings

EngineWatcher = Callable[[Engine, str], None]


class Database:
    """Engines and sessions of one database, configured by :class:`DatabaseSettings`."""

    def __init__(self, settings: DatabaseSettings | None = None) -> None:
        self.settings = settings or DatabaseSettings()
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._sync_engine: Engine | None = None
        self._sync_sessions: sync_sessionmaker_type[Session] | None = None
        self._sync_lock = threading.Lock()
        self._watchers: list[EngineWatcher] = []

    def watch_engines(self, watcher: EngineWatcher) -> None:
        """Call ``watcher(engine, "async" | "sync")`` for each engine, made now or later."""
        self._watchers.append(watcher)
        if self._engine is not None:
            watcher(self._engine.sync_engine, "async")
        if self._sync_engine is not None:
            watcher(self._sync_engine, "sync")

    def _made(self, engine: Engine, label: str) -> None:
        for watcher in self._watchers:
            watcher(engine, label)

    async def start(self) -> None:
        """Make the asyncio engine (the application's start-up calls this)."""
        _ = self.engine

    async def dispose(self) -> None:
        """Close every pooled connection of both engines (the application's shutdown)."""
        engine, self._engine, self._sessions = self._engine, None, None
        sync_engine, self._sync_engine, self._sync_sessions = self._sync_engine, None, None
        with anyio.CancelScope(shield=True):
            if engine is not None:
                await engine.dispose()
            if sync_engine is not None:
                await anyio.to_thread.run_sync(sync_engine.dispose)

    @property
    def engine(self) -> AsyncEngine:
        """The asyncio engine, made on first use."""
        if self._engine is None:
            self._engine = create_async_database_engine(self.settings)
            self._made(self._engine.sync_engine, "async")
        return self._engine

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """The factory of :class:`AsyncSession` objects bound to :attr:`engine`."""
        if self._sessions is None:
            self._sessions = async_sessionmaker(
                self.engine, expire_on_commit=False, close_resets_only=False
            )
        return self._sessions

    @property
    def sync_engine(self) -> Engine:
        """The synchronous engine, made on first use (from any thread)."""
        with self._sync_lock:
            if self._sync_engine is None:
                self._sync_engine = create_sync_database_engine(self.settings)
                self._made(self._sync_engine, "sync")
            return self._sync_engine

    @property
    def sync_sessionmaker(self) -> sync_sessionmaker_type[Session]:
        """The factory of synchronous :class:`Session` objects."""
        engine = self.sync_engine
        with self._sync_lock:
            if self._sync_sessions is None:
                self._sync_sessions = sync_sessionmaker_type(
                    engine, expire_on_commit=False, close_resets_only=False
                )
            return self._sync_sessions

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session of its own (background work, scripts): committed, or rolled back, closed."""
        session = self.sessionmaker()
        try:
            yield session
            await session.commit()
        except BaseException:
            with anyio.CancelScope(shield=True):
                await session.rollback()
            raise
        finally:
            with anyio.CancelScope(shield=True):
                await session.close()

    @contextmanager
    def sync_session(self) -> Iterator[Session]:
        """The synchronous counterpart of :meth:`session`."""
        with self.sync_sessionmaker() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    async def check(self) -> None:
        """Readiness: open a new connection (not one from the pool) and run ``SELECT 1``."""
        await check_database(self.settings)


async def check_database(settings: DatabaseSettings | str) -> None:
    """Connect to the database (``VELOX_DB_URL``, or the URL given) and run ``SELECT 1``.

    A new connection is opened, outside any pool, so readiness says whether the
    database answers, not whether this worker's pool happens to be busy.
    """
    if isinstance(settings, str):
        settings = DatabaseSettings(url=SecretStr(settings))
    probe = create_async_database_engine(settings, pooled=False)
    try:
        async with probe.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await probe.dispose()
