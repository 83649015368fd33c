"""Applications the operations e2e tests serve with uvicorn (``--factory``)."""

from __future__ import annotations

import logging
import os
from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from veloxapi.batteries import augment_app

log = logging.getLogger("ops.app")


async def item(request: Request) -> JSONResponse:
    log.info("fetched item %s", request.path_params["item_id"])
    return JSONResponse({"id": request.path_params["item_id"]})


async def pid(request: Request) -> JSONResponse:
    return JSONResponse({"pid": os.getpid()})


async def login(request: Request) -> JSONResponse:
    log.info("login headers", extra={"headers": dict(request.headers)})
    log.info("login headers as text: %s", dict(request.headers))
    log.info("login scope headers: %s", request.scope["headers"])
    log.info("raw authorization header: Authorization: %s", request.headers["authorization"])
    log.info("form received: %s", (await request.body()).decode())
    return JSONResponse({"ok": True})


def starlette_app() -> Starlette:
    app = Starlette(
        routes=[
            Route("/items/{item_id}", item),
            Route("/pid", pid),
            Route("/login", login, methods=["POST"]),
        ]
    )
    augment_app(app, logging=True, request_id=True, metrics=True, health=True)
    return app


def velox_app() -> Any:
    from veloxapi import VeloxAPI
    from veloxapi.batteries.deprecation import deprecated_route

    app = VeloxAPI(title="Ops", version="4.5.6")

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> dict[str, int]:
        log.info("read item %s", item_id)
        return {"id": item_id}

    @app.get(
        "/v1/items",
        deprecated=True,
        dependencies=[
            deprecated_route(
                deprecated_at=date(2026, 1, 1),
                sunset=date(2027, 1, 1),
                link="https://example.com/migrate",
            )
        ],
    )
    async def old_items() -> list[int]:
        return [1, 2]

    augment_app(
        app,
        logging=True,
        request_id=True,
        metrics=True,
        health=True,
        security_headers=True,
    )
    return app
