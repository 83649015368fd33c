"""Frontends answer only what no route of the app answers, across included routers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.routing import NoMatchFound

from veloxapi import APIRouter, HTTPException, VeloxAPI, WebSocket
from veloxapi.testclient import TestClient

Build = Callable[..., Path]
HTML = {"accept": "text/html"}


def test_api_routes_win_wherever_they_were_registered(build: Build) -> None:
    dist = build(files={"index.html": "shell", "api/items": "file"})
    app = VeloxAPI()
    app.frontend("/", directory=dist, fallback="index.html")

    @app.get("/api/items")
    def items() -> list[int]:
        return [1]

    client = TestClient(app)

    assert client.get("/api/items", headers=HTML).json() == [1]
    assert client.post("/api/items").status_code == 405
    assert client.get("/elsewhere", headers=HTML).text == "shell"


def test_api_404_is_not_replaced_by_fallback(build: Build) -> None:
    app = VeloxAPI()

    @app.get("/api/items/{item_id}")
    def item(item_id: int) -> int:
        raise HTTPException(404, "no such item")

    app.frontend("/", directory=build(files={"index.html": "shell"}))

    response = TestClient(app).get("/api/items/3", headers=HTML)

    assert response.json() == {"detail": "no such item"}


def test_route_slash_redirect_wins_over_frontend(build: Build) -> None:
    app = VeloxAPI()
    app.frontend("/", directory=build(files={"index.html": "shell"}), fallback="index.html")

    @app.get("/reports/")
    def reports() -> str:
        return "reports"

    response = TestClient(app).get("/reports", headers=HTML, follow_redirects=False)

    assert response.status_code == 307
    assert response.headers["location"].endswith("/reports/")


def test_websocket_route_is_not_shadowed(build: Build) -> None:
    app = VeloxAPI()
    app.frontend("/", directory=build(files={"index.html": "shell"}))

    @app.websocket("/live")
    async def live(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    with TestClient(app).websocket_connect("/live") as websocket:
        assert websocket.receive_text() == "hello"


def test_mount_path_respects_segment_boundaries(build: Build) -> None:
    app = VeloxAPI()
    app.frontend("/app", directory=build(files={"index.html": "shell"}), fallback="index.html")
    client = TestClient(app)

    assert client.get("/app/x", headers=HTML).text == "shell"
    assert client.get("/apples", headers=HTML).status_code == 404


def test_longest_mount_path_wins_within_and_across_routers(build: Build) -> None:
    site = build("site", {"index.html": "site", "admin/page": "site file"})
    admin = build("admin", {"index.html": "admin"})
    docs = build("docs", {"index.html": "docs"})
    app = VeloxAPI(docs_url=None, redoc_url=None)
    app.frontend("/", directory=site, fallback="index.html")
    docs_router = APIRouter()
    docs_router.frontend("/", directory=docs, fallback="index.html")
    app.include_router(docs_router, prefix="/docs")
    app.frontend("/admin", directory=admin, fallback="index.html")
    client = TestClient(app)

    assert client.get("/pricing", headers=HTML).text == "site"
    assert client.get("/admin/page", headers=HTML).text == "admin"
    assert client.get("/docs/intro", headers=HTML).text == "docs"
    assert client.post("/admin/page").status_code == 404


def test_router_and_include_prefixes_combine(build: Build) -> None:
    dist = build(files={"index.html": "shell", "main.js": "js"})
    inner = APIRouter(prefix="/inner")
    inner.frontend("/ui/", directory=dist, fallback="index.html")
    outer = APIRouter()
    outer.include_router(inner, prefix="/outer")
    app = VeloxAPI()
    app.include_router(outer, prefix="/root")
    client = TestClient(app)

    assert client.get("/root/outer/inner/ui/main.js").text == "js"
    assert client.get("/root/outer/inner/ui/a/b", headers=HTML).text == "shell"
    assert client.get("/root/outer/inner/main.js").status_code == 404


def test_frontend_added_to_included_router_after_inclusion_is_served(build: Build) -> None:
    router = APIRouter()
    router.frontend("/a", directory=build("a", {"index.html": "a"}), fallback="index.html")
    app = VeloxAPI()
    app.include_router(router, prefix="/p")
    client = TestClient(app)
    assert client.get("/p/a/x", headers=HTML).text == "a"

    router.frontend("/b", directory=build("b", {"index.html": "b"}), fallback="index.html")

    assert client.get("/p/b/x", headers=HTML).text == "b"


def test_frontends_have_no_url_names(build: Build) -> None:
    router = APIRouter()
    router.frontend("/", directory=build(files={"index.html": "shell"}))
    app = VeloxAPI()
    app.include_router(router, prefix="/ui")

    @app.get("/api", name="api")
    def api() -> str:
        return "ok"

    assert app.url_path_for("api") == "/api"
    with pytest.raises(NoMatchFound):
        app.url_path_for("frontend")


def test_root_path_is_respected(build: Build) -> None:
    app = VeloxAPI()
    app.frontend("/app", directory=build(files={"a.txt": "a"}))

    response = TestClient(app, root_path="/behind/proxy").get("/app/a.txt")

    assert (response.status_code, response.text) == (200, "a")
