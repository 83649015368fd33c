"""Routes added to a router after ``include_router()`` are served, described and ordered."""

from __future__ import annotations

import pytest

from veloxapi import APIRouter, Depends, FastAPI
from veloxapi.exceptions import FastAPIError
from veloxapi.responses import PlainTextResponse
from veloxapi.testclient import TestClient


def test_route_added_later_gets_the_inclusion_options() -> None:
    calls: list[str] = []

    def audit() -> None:
        calls.append("audit")

    router = APIRouter()
    app = FastAPI()
    app.include_router(
        router,
        prefix="/api",
        tags=["included"],
        dependencies=[Depends(audit)],
        responses={418: {"description": "Teapot"}},
        default_response_class=PlainTextResponse,
    )

    @router.get("/later")
    def later() -> str:
        return "later"

    client = TestClient(app)
    response = client.get("/api/later")
    assert (response.status_code, response.text, calls) == (200, "later", ["audit"])
    operation = client.get("/openapi.json").json()["paths"]["/api/later"]["get"]
    assert operation["tags"] == ["included"]
    assert operation["responses"]["418"] == {"description": "Teapot"}


def test_nested_router_included_after_its_parent_was_included() -> None:
    parent, child = APIRouter(), APIRouter()
    app = FastAPI()
    app.include_router(parent, prefix="/api")
    parent.include_router(child, prefix="/child", tags=["child"])

    @child.get("/items")
    def items() -> list[str]:
        return ["item"]

    client = TestClient(app)
    assert client.get("/api/child/items").json() == ["item"]
    assert app.url_path_for("items") == "/api/child/items"


def test_repeated_inclusions_each_serve_the_new_route() -> None:
    shared = APIRouter()
    app = FastAPI()
    for prefix in ("/v1", "/v2"):
        app.include_router(shared, prefix=prefix)

    @shared.get("/ping")
    def ping() -> str:
        return "pong"

    client = TestClient(app)
    assert [client.get(f"{p}/ping").json() for p in ("/v1", "/v2")] == ["pong", "pong"]
    assert set(client.get("/openapi.json").json()["paths"]) == {"/v1/ping", "/v2/ping"}


def test_new_route_keeps_its_place_before_routes_added_to_the_parent_later() -> None:
    router = APIRouter()

    @router.get("/items/first")
    def first() -> str:
        return "router"

    app = FastAPI()
    app.include_router(router)

    @app.get("/items/{name}")
    def by_name(name: str) -> str:
        return "app"

    @router.get("/items/second")
    def second() -> str:
        return "router"

    client = TestClient(app)
    # the included router's routes come first, as where it was included
    assert client.get("/items/second").json() == "router"
    assert client.get("/items/other").json() == "app"


def test_removed_route_is_no_longer_served() -> None:
    router = APIRouter()

    @router.get("/gone")
    def gone() -> str:
        return "here"

    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    assert client.get("/gone").status_code == 200
    router.routes.clear()
    assert client.get("/gone").status_code == 404


def test_live_overrides_apply_to_routes_added_later() -> None:
    def dependency() -> str:
        return "original"

    router = APIRouter()
    app = FastAPI()
    app.include_router(router, prefix="/api")

    @router.get("/later")
    def later(value: str = Depends(dependency)) -> str:
        return value

    client = TestClient(app)
    assert client.get("/api/later").json() == "original"
    app.dependency_overrides[dependency] = lambda: "overridden"
    assert client.get("/api/later").json() == "overridden"


def test_inclusion_cycles_are_refused() -> None:
    parent, child, grandchild = APIRouter(), APIRouter(), APIRouter()
    parent.include_router(child, prefix="/child")
    child.include_router(grandchild, prefix="/grandchild")
    with pytest.raises(AssertionError, match="already includes this router"):
        grandchild.include_router(parent, prefix="/parent")


def test_empty_path_added_later_without_prefix_is_not_served() -> None:
    # as in FastAPI 0.165: the check runs when a router is included; a route added later
    # with neither a prefix nor a path has the empty path, which no request has
    router = APIRouter()
    app = FastAPI()
    app.include_router(router)

    @router.get("")
    def nothing() -> str:
        return "never"

    assert TestClient(app).get("/").status_code == 404
    with pytest.raises(FastAPIError, match="Prefix and path cannot be both empty"):
        FastAPI().include_router(router)


def test_openapi_document_follows_route_changes_but_keeps_a_custom_one() -> None:
    router = APIRouter()
    app = FastAPI()
    app.include_router(router)
    assert app.openapi()["paths"] == {}

    @router.get("/later")
    def later() -> None:
        return None

    assert set(app.openapi()["paths"]) == {"/later"}
    custom = {"openapi": "3.1.0", "info": {"title": "mine", "version": "1"}, "paths": {}}
    app.openapi_schema = custom

    @router.get("/even-later")
    def even_later() -> None:
        return None

    assert app.openapi() is custom
