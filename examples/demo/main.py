"""The inventory service: settings, batteries, routes. ``make run`` serves ``create_app()``.

Every battery reads its ``VELOX_*`` variables; with none set the service runs
on embedded defaults: an SQLite file under ``.data/``, rate-limit counters and
cached responses in memory, JSON logs on stderr.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from veloxapi import VeloxAPI
from veloxapi.batteries.db import database_for
from veloxapi.batteries.settings import load_settings

from .config import DemoSettings
from .db import create_tables, database_settings
from .inventory.routes import build_router
from .security import build_security


@asynccontextmanager
async def lifespan(app: VeloxAPI) -> AsyncIterator[None]:
    await create_tables(database_for(app))
    yield


def create_app(settings: DemoSettings | None = None) -> VeloxAPI:
    """A new inventory application (uvicorn: ``--factory demo.main:create_app``)."""
    settings = settings or load_settings(DemoSettings)
    app = VeloxAPI(
        title="Inventory",
        version="1.0.0",
        description="Suppliers, products and stock: a demo of veloxapi's batteries.",
        lifespan=lifespan,
        batteries={
            "db": database_settings(settings),
            "logging": True,
            "request_id": True,
            "metrics": True,
            "health": True,
            "errors": True,
            "rate_limit": True,
            "cache": True,
            "security_headers": True,
        },
    )
    security = build_security(settings)  # after the logging battery: its warning is JSON
    if security.token_router is not None:
        app.include_router(security.token_router)
    app.include_router(build_router(security, settings.page_size))
    return app
