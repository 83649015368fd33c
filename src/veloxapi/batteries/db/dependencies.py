"""Session dependencies: one session per request, committed before the response.

Two layers, so that the commit decides the response and the session outlives it:

* an inner, request-scoped dependency makes the session and closes it once the
  response is sent: after a streaming body and after background tasks;
* :func:`get_session`, used with ``scope="function"`` (as :data:`DBSession`
  does), commits when the endpoint returns and rolls back when it raises, before
  the response is sent, so a failed commit is a 500, never a lost write behind
  a 200.

A background task given the request's session therefore gets an open session
whose request transaction is already committed; what the task writes must be
committed by the task (the close after it rolls back anything left).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection

from veloxapi.batteries.db.database import Database
from veloxapi.param_functions import Depends

STATE_KEY = "velox_database"


def database_for(app: Any) -> Database:
    """The :class:`Database` installed on ``app`` by :func:`install_database`."""
    database = getattr(app.state, STATE_KEY, None)
    if not isinstance(database, Database):
        raise RuntimeError(
            "no database is installed on this application: call install_database(app) "
            'or VeloxAPI(batteries={"db": True})'
        )
    return database


async def _request_session(connection: HTTPConnection) -> AsyncIterator[AsyncSession]:
    session = database_for(connection.app).sessionmaker()
    try:
        yield session
    finally:
        with anyio.CancelScope(shield=True):
            await session.close()


def _request_sync_session(connection: HTTPConnection) -> Iterator[Session]:
    session = database_for(connection.app).sync_sessionmaker()
    try:
        yield session
    finally:
        session.close()


def _commits_despite(exc: BaseException, database: Database) -> bool:
    """Whether an endpoint's exception still commits (an HTTPException, when so configured)."""
    settings = database.settings
    return isinstance(exc, HTTPException) and not settings.rollback_on_http_error


async def get_session(
    connection: HTTPConnection,
    session: Annotated[AsyncSession, Depends(_request_session)],
) -> AsyncIterator[AsyncSession]:
    """The request's :class:`AsyncSession`; use as ``Depends(get_session, scope="function")``."""
    database = database_for(connection.app)
    try:
        yield session
    except BaseException as exc:
        with anyio.CancelScope(shield=True):
            if _commits_despite(exc, database):
                await session.commit()
            else:
                await session.rollback()
        raise
    if database.settings.commit_on_success:
        await session.commit()


def get_sync_session(
    connection: HTTPConnection,
    session: Annotated[Session, Depends(_request_sync_session)],
) -> Iterator[Session]:
    """The request's synchronous :class:`Session`, for ``def`` endpoints."""
    database = database_for(connection.app)
    try:
        yield session
    except BaseException as exc:
        if _commits_despite(exc, database):
            session.commit()
        else:
            session.rollback()
        raise
    if database.settings.commit_on_success:
        session.commit()


DBSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
"""A parameter annotation giving an endpoint the request's :class:`AsyncSession`."""

SyncDBSession = Annotated[Session, Depends(get_sync_session, scope="function")]
"""A parameter annotation giving a ``def`` endpoint the request's synchronous session."""
