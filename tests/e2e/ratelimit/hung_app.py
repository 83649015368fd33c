"""A rate-limited app whose Redis (VELOX_RATELIMIT_REDIS_URL) accepts and never answers."""

from __future__ import annotations

import os

from veloxapi import Depends, VeloxAPI
from veloxapi.batteries.ratelimit import RateLimit, RateLimitSettings, install_rate_limit

app = VeloxAPI()
install_rate_limit(app, RateLimitSettings())


@app.get("/pid")
async def pid() -> str:
    return str(os.getpid())


@app.get("/limited", dependencies=[Depends(RateLimit("100/hour"))])
async def limited() -> str:
    return "ok"
