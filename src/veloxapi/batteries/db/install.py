"""``install_database``: the engine follows the application's lifespan.

A small pure-ASGI middleware watches the lifespan messages: the engine is made
when the server announces start-up (before the application's own lifespan
runs, so that code can use the database), and disposed once the application
has finished its shutdown (after the application's own shutdown code). Every
other message passes through untouched.
"""

from __future__ import annotations

import weakref
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi.batteries.db.busy import install_pool_timeout_handler
from veloxapi.batteries.db.database import Database
from veloxapi.batteries.db.dependencies import STATE_KEY
from veloxapi.batteries.db.settings import DatabaseSettings

_REPORTING: weakref.WeakSet[Database] = weakref.WeakSet()


class DatabaseLifespanMiddleware:
    """Starts ``database`` at the ASGI lifespan start-up and disposes it at shutdown."""

    def __init__(self, app: ASGIApp, database: Database, owner: Any) -> None:
        self.app = app
        self.database = database
        self.owner = owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def starting_receive() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.database.start()
                _report_pool_metrics(self.owner, self.database)
            return message

        async def disposing_send(message: Message) -> None:
            if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                await self.database.dispose()
            await send(message)

        await self.app(scope, starting_receive, disposing_send)


def _report_pool_metrics(app: Any, database: Database) -> None:
    """Pool gauges in the metrics battery's registry, when that battery is installed."""
    try:
        from veloxapi.batteries.db.pool_metrics import PoolGauges
        from veloxapi.batteries.metrics import metrics_for
    except ImportError:
        return
    metrics = metrics_for(app)
    if metrics is None or database in _REPORTING:
        return
    _REPORTING.add(database)
    namespace = metrics.settings.namespace
    database.watch_engines(
        lambda engine, label: PoolGauges(metrics.registry, namespace, label).watch(engine)
    )


def install_database(app: Any, settings: DatabaseSettings | None = None) -> Database:
    """Keep a :class:`Database` on ``app.state``, tie it to the lifespan, map pool timeouts."""
    database = Database(settings or DatabaseSettings())
    setattr(app.state, STATE_KEY, database)
    app.add_middleware(DatabaseLifespanMiddleware, database=database, owner=app)
    install_pool_timeout_handler(app, database.settings.retry_after)
    return database
