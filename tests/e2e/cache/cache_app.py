"""The app the cache e2e tests serve with uvicorn; configured by VELOX_CACHE_*."""

from __future__ import annotations

import os
import uuid

from veloxapi import Depends, Header, Request, VeloxAPI
from veloxapi.batteries.cache import Cache, CacheSettings, install_cache, invalidate
from veloxapi.responses import JSONResponse

app = VeloxAPI()
install_cache(app, CacheSettings())


@app.get("/pid")
async def pid() -> str:
    return str(os.getpid())


@app.get("/items/{item_id}", dependencies=[Depends(Cache(ttl=60, tags=["item:{item_id}"]))])
async def read_item(item_id: int) -> dict[str, object]:
    return {"id": item_id, "generation": uuid.uuid4().hex, "pid": os.getpid()}


@app.post("/items/{item_id}/invalidate")
async def invalidate_item(item_id: int, request: Request) -> dict[str, int]:
    return {"deleted": await invalidate(request.app, tag=f"item:{item_id}")}


@app.get("/me", dependencies=[Depends(Cache(ttl=60))])
async def me(authorization: str = Header("")) -> dict[str, str]:
    return {"user": authorization.removeprefix("Bearer "), "generation": uuid.uuid4().hex}


@app.get("/catalog", dependencies=[Depends(Cache(ttl=60, shared=True))])
async def catalog() -> dict[str, str]:
    return {"generation": uuid.uuid4().hex}


@app.get("/greeting", dependencies=[Depends(Cache(ttl=60))])
async def greeting(accept_language: str = Header("en")) -> JSONResponse:
    text = "Hallo" if accept_language.startswith("de") else "Hello"
    body = {"text": text, "generation": uuid.uuid4().hex}
    return JSONResponse(body, headers={"Vary": "Accept-Language"})


@app.get("/link", dependencies=[Depends(Cache(ttl=60))])
async def link(request: Request) -> dict[str, str]:
    return {"self": str(request.url_for("link")), "generation": uuid.uuid4().hex}
