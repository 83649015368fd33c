"""``velox routes``: methods, path, name and the batteries each route uses."""

from __future__ import annotations

import json

from click.testing import CliRunner

from veloxapi.cli.routes import routes

APP = """
from datetime import date
from veloxapi import APIRouter, Depends, Security, VeloxAPI
from veloxapi.batteries.cache import Cache
from veloxapi.batteries.deprecation import deprecated_route
from veloxapi.batteries.ratelimit import RateLimit, RateLimitSettings, install_rate_limit
from veloxapi.security import OAuth2PasswordBearer

app = VeloxAPI()
install_rate_limit(app, RateLimitSettings(default_limits=["1000/hour"], exempt_paths=["/public"]))
oauth2 = OAuth2PasswordBearer(tokenUrl="/token")

def current_user(token: str = Depends(oauth2)) -> str:
    return token

@app.get("/public/plain")
def plain() -> dict:
    return {}

@app.get("/me")
def me(user: str = Depends(current_user)) -> dict:
    return {}

@app.post("/search", dependencies=[Depends(RateLimit("10/minute"))])
def search() -> dict:
    return {}

@app.get("/cached/{item_id}", dependencies=[Depends(Cache(ttl=60))])
def cached(item_id: int) -> dict:
    return {}

@app.get("/old", deprecated=True, dependencies=[
    deprecated_route(deprecated_at=date(2026, 1, 1), sunset=date(2026, 12, 31))])
def old() -> dict:
    return {}

@app.get("/legacy", deprecated=True)
def legacy() -> dict:
    return {}

router = APIRouter(prefix="/admin", dependencies=[Security(oauth2, scopes=["admin"])])

@router.delete("/users/{user_id}", name="delete_user")
def delete_user(user_id: int) -> None:
    return None

app.include_router(router)

@app.websocket("/ws")
async def ws(websocket) -> None:
    await websocket.accept()
"""


def _rows(app_path) -> dict[str, dict]:
    result = CliRunner().invoke(routes, [str(app_path), "--json"])
    assert result.exit_code == 0, result.output
    return {row["path"]: row for row in json.loads(result.output)}


def test_methods_paths_and_names(app_file):
    rows = _rows(app_file(APP))
    assert rows["/search"]["methods"] == ["POST"]
    assert rows["/admin/users/{user_id}"]["methods"] == ["DELETE"]
    assert rows["/admin/users/{user_id}"]["name"] == "delete_user"
    assert rows["/ws"]["methods"] == ["WS"]
    assert rows["/docs"]["name"] == "swagger_ui_html"


def test_batteries_detected_per_route(app_file):
    rows = _rows(app_file(APP))
    assert rows["/public/plain"]["batteries"] == []  # exempt from the global limit
    assert "auth:OAuth2PasswordBearer" in rows["/me"]["batteries"]
    assert "auth:OAuth2PasswordBearer" in rows["/admin/users/{user_id}"]["batteries"]
    assert "rate_limit(10/60s)" in rows["/search"]["batteries"]
    assert "rate_limit(global: 1000/hour)" in rows["/search"]["batteries"]
    assert "cache(ttl=60s)" in rows["/cached/{item_id}"]["batteries"]
    assert "deprecation headers" in rows["/old"]["batteries"]
    assert "deprecated" in rows["/legacy"]["batteries"]


def test_table_output(app_file):
    result = CliRunner().invoke(routes, [str(app_file(APP))])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["METHODS", "PATH", "NAME", "BATTERIES"]
    search = next(line for line in lines if "/search" in line)
    assert search.split()[:3] == ["POST", "/search", "search"]
    assert "rate_limit(10/60s)" in search


def test_no_app_is_a_clear_error(app_file):
    result = CliRunner().invoke(routes, [str(app_file("x = 1\n"))])
    assert result.exit_code == 1
    assert "No application found" in result.output
