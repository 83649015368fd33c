"""The app the rate-limit e2e tests serve with uvicorn; configured by VELOX_RATELIMIT_*."""

from __future__ import annotations

import os

from veloxapi import APIRouter, Depends, VeloxAPI
from veloxapi.batteries.errors import ErrorSettings, install_errors
from veloxapi.batteries.ratelimit import RateLimit, RateLimitSettings, install_rate_limit

app = VeloxAPI()
install_rate_limit(app, RateLimitSettings())
install_errors(app, ErrorSettings())


@app.get("/pid")
async def pid() -> str:
    return str(os.getpid())


@app.get("/fixed", dependencies=[Depends(RateLimit("20/hour", algorithm="fixed_window"))])
async def fixed() -> dict[str, str]:
    return {"ok": "fixed"}


@app.get("/sliding", dependencies=[Depends(RateLimit("20/hour", algorithm="sliding_window"))])
async def sliding() -> dict[str, str]:
    return {"ok": "sliding"}


@app.get("/bucket", dependencies=[Depends(RateLimit("20/hour", algorithm="token_bucket"))])
async def bucket() -> dict[str, str]:
    return {"ok": "bucket"}


router = APIRouter(prefix="/orders", dependencies=[Depends(RateLimit("3/hour", name="orders"))])


@router.get("/a")
async def order_a() -> dict[str, str]:
    return {"ok": "a"}


@router.get("/b")
async def order_b() -> dict[str, str]:
    return {"ok": "b"}


app.include_router(router)


@app.get("/per-key", dependencies=[Depends(RateLimit("2/hour", key="api_key"))])
async def per_key() -> dict[str, str]:
    return {"ok": "key"}
