"""A router-level, unnamed rate limit in front of a WebSocket route (served by uvicorn)."""

from __future__ import annotations

import os

from veloxapi import APIRouter, Depends, VeloxAPI, WebSocket
from veloxapi.batteries.ratelimit import RateLimit, RateLimitSettings, install_rate_limit

app = VeloxAPI()
install_rate_limit(app, RateLimitSettings())
router = APIRouter(dependencies=[Depends(RateLimit("2/hour"))])


@app.get("/pid")
async def pid() -> str:
    return str(os.getpid())


@router.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(await websocket.receive_text())
    await websocket.close()


app.include_router(router)
