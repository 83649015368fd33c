"""The app the plan e2e tests serve with uvicorn: batteries compiled into route plans.

Tokens come from ``POST /login/{name}`` and expire after two seconds. ``/profile``
is cached and protected by a bearer token; ``/guarded`` lists its bearer check
*before* an address-keyed limit; ``/per-user`` lists a user-keyed limit before
its bearer check. The metrics battery is on, so the tests can read how requests
were counted.
"""

from __future__ import annotations

import os
import uuid

from veloxapi import Depends, Security, VeloxAPI
from veloxapi.batteries import augment_app
from veloxapi.batteries.auth import (
    AuthenticatedUser,
    BearerTokenAuth,
    TokenIssuer,
    TokenValidator,
    current_user,
)
from veloxapi.batteries.cache import Cache
from veloxapi.batteries.ratelimit import RateLimit

issuer = TokenIssuer(
    issuer="https://plan.example.com/",
    audience="plan-tests",
    secret="a-signing-secret-for-the-plan-e2e-tests-0123456789",
    lifetime=2,
)
bearer = BearerTokenAuth(TokenValidator(issuer.verifier()))
user = current_user(bearer)

app = VeloxAPI()
augment_app(app, cache=True, rate_limit=True, metrics=True)


@app.get("/pid")
async def pid() -> str:
    return str(os.getpid())


@app.post("/login/{name}")
async def login(name: str) -> dict[str, str]:
    return {"token": issuer.issue(name).access_token}


@app.get("/profile", dependencies=[Depends(Cache(ttl=60))])
async def profile(who: AuthenticatedUser = Security(user)) -> dict[str, str]:
    return {"user": who.id, "generation": uuid.uuid4().hex}


@app.get("/guarded", dependencies=[Security(user), Depends(RateLimit("3/minute", key="ip"))])
async def guarded() -> dict[str, bool]:
    return {"ok": True}


@app.get("/per-user", dependencies=[Depends(RateLimit("2/minute", key="subject")), Security(user)])
async def per_user(who: AuthenticatedUser = Security(user)) -> dict[str, str]:
    return {"user": who.id}
