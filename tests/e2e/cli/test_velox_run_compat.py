"""``velox run --compat``: an unchanged FastAPI app, served by veloxapi in every worker."""

from __future__ import annotations

import httpx
from velox_cli_e2e import write_app

FASTAPI_APP = """
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
import fastapi
import veloxapi

app = FastAPI(title="unchanged")

class Item(BaseModel):
    name: str
    price: float

def token(x_token: str | None = None) -> str:
    if x_token != "secret":
        raise HTTPException(status_code=401, detail="bad token")
    return x_token

@app.get("/which")
def which() -> dict:
    return {"fastapi_is_veloxapi": fastapi.FastAPI is veloxapi.FastAPI}

@app.post("/items")
def create(item: Item, _: str = Depends(token)) -> Item:
    return item
"""


def test_unchanged_fastapi_app_is_served_by_veloxapi_across_workers(velox, tmp_path):
    write_app(tmp_path, "service/main.py", FASTAPI_APP)
    server = velox("run", "--compat", "service/main.py", "--workers", "2")
    for _ in range(10):  # both workers answer: each installed the alias itself
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/which").json() == {"fastapi_is_veloxapi": True}
    item = {"name": "lamp", "price": 9.5}
    assert httpx.post(server.url + "/items?x_token=secret", json=item).json() == item
    denied = httpx.post(server.url + "/items", json=item)
    assert (denied.status_code, denied.json()) == (401, {"detail": "bad token"})


def test_without_compat_the_fastapi_import_points_to_the_flag(velox, tmp_path):
    write_app(tmp_path, "main.py", FASTAPI_APP)
    server = velox("run", wait=False, env={"PYTHONPATH": ""})
    assert server.process.wait(timeout=30) != 0
    output = server.output()
    assert "--compat" in output or "fastapi" in output
