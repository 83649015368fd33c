"""Router inclusion as FastAPI 0.165 models it: one entry per ``include_router()``, and
each included route served as its *effective context* (the route as the inclusion sees it).
"""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from starlette.routing import Match

from veloxapi import APIRouter, Depends, FastAPI, Request
from veloxapi.batteries import augment_app
from veloxapi.openapi.utils import get_openapi
from veloxapi.routing import APIRoute, RouteContext, _IncludedRouter, iter_route_contexts
from veloxapi.testclient import TestClient


def test_include_router_adds_one_entry_and_leaves_the_route_untouched() -> None:
    router = APIRouter(prefix="/items", tags=["items"])

    @router.get("/{item_id}")
    def read(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    app = FastAPI(openapi_url=None)
    app.include_router(router, prefix="/api", tags=["public"])

    assert len(app.routes) == 1
    assert isinstance(app.routes[0], _IncludedRouter)
    original = router.routes[0]
    assert isinstance(original, APIRoute)
    assert (original.path, original.tags) == ("/items/{item_id}", ["items"])
    [context] = iter_route_contexts(app.routes)
    assert isinstance(context, RouteContext)
    assert context.route is original
    assert (context.path, context.tags) == ("/api/items/{item_id}", ["public", "items"])
    assert TestClient(app).get("/api/items/7").json() == {"item_id": 7}


def test_endpoint_sees_the_original_route_and_its_effective_context() -> None:
    router = APIRouter()

    @router.get("/where")
    def where(request: Request) -> dict[str, Any]:
        context = request.scope["fastapi"]["effective_route_context"]
        return {
            "original": request.scope["route"] is router.routes[0],
            "path": context.path,
            "dependencies": len(context.dependencies),
        }

    app = FastAPI()
    app.include_router(router, prefix="/v1", dependencies=[Depends(lambda: None)])
    assert TestClient(app).get("/v1/where").json() == {
        "original": True,
        "path": "/v1/where",
        "dependencies": 1,
    }


def test_a_route_subclass_still_decides_its_match_after_inclusion() -> None:
    class FeatureFlagged(APIRoute):
        def matches(self, scope: Any) -> tuple[Match, Any]:
            if (b"x-beta", b"on") not in scope.get("headers", []):
                return Match.NONE, {}
            return super().matches(scope)

    beta = APIRouter(route_class=FeatureFlagged)
    stable = APIRouter()

    @beta.get("/feature")
    def new_feature() -> str:
        return "beta"

    @stable.get("/feature")
    def old_feature() -> str:
        return "stable"

    app = FastAPI()
    app.include_router(beta, prefix="/app")
    app.include_router(stable, prefix="/app")
    client = TestClient(app)
    assert client.get("/app/feature").json() == "stable"
    assert client.get("/app/feature", headers={"x-beta": "on"}).json() == "beta"


def test_routes_added_and_removed_below_a_nested_inclusion_are_followed() -> None:
    leaf = APIRouter()
    middle = APIRouter()
    middle.include_router(leaf, prefix="/leaf")
    app = FastAPI()
    app.include_router(middle, prefix="/api")
    client = TestClient(app)
    assert client.get("/api/leaf/late").status_code == 404

    @leaf.get("/late")
    def late() -> str:
        return "here"

    assert client.get("/api/leaf/late").json() == "here"
    assert "/api/leaf/late" in client.get("/openapi.json").json()["paths"]
    leaf.routes.remove(leaf.routes[0])
    assert client.get("/api/leaf/late").status_code == 404
    assert "/api/leaf/late" not in client.get("/openapi.json").json()["paths"]


def test_one_router_included_twice_is_served_and_named_under_both_prefixes() -> None:
    router = APIRouter()

    @router.get("/users/{user_id}", name="user")
    def user(user_id: str) -> str:
        return user_id

    app = FastAPI()
    app.include_router(router, prefix="/v1")
    app.include_router(router, prefix="/v2")
    client = TestClient(app)
    assert client.get("/v1/users/a").json() == "a"
    assert client.get("/v2/users/b").json() == "b"
    assert app.url_path_for("user", user_id="c") == "/v1/users/c"
    assert app.routes[-1].url_path_for("user", user_id="c") == "/v2/users/c"


def test_get_openapi_accepts_a_filtered_selection_of_route_contexts() -> None:
    router = APIRouter()

    @router.get("/public", tags=["public"])
    def public() -> str:
        return "ok"

    @router.get("/internal", tags=["internal"])
    def internal() -> str:
        return "ok"

    app = FastAPI()
    app.include_router(router, prefix="/api")
    chosen = [c for c in iter_route_contexts(app.routes) if "public" in getattr(c, "tags", [])]
    document = get_openapi(title="Public", version="1", routes=chosen)
    assert set(document["paths"]) == {"/api/public"}


def test_metrics_label_an_included_route_by_its_full_template() -> None:
    router = APIRouter(prefix="/items")

    @router.get("/{item_id}")
    def read(item_id: int) -> int:
        return item_id

    app = FastAPI()
    app.include_router(router, prefix="/api")
    augment_app(app, metrics=True)
    client = TestClient(app)
    client.get("/api/items/1")
    client.get("/api/items/2")
    text = client.get("/metrics").text
    routes = {
        sample.labels["route"]
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "velox_http_requests_total"
    }
    assert "/api/items/{item_id}" in routes
    assert "/items/{item_id}" not in routes


def test_a_route_list_assigned_after_inclusion_is_followed() -> None:
    router = APIRouter()
    app = FastAPI()
    app.include_router(router, prefix="/api")
    client = TestClient(app)
    assert client.get("/api/new").status_code == 404

    replacement = APIRouter()

    @replacement.get("/new")
    def new() -> str:
        return "new"

    router.routes = list(replacement.routes)
    assert client.get("/api/new").json() == "new"
    router.routes.clear()
    assert client.get("/api/new").status_code == 404


def test_callbacks_given_as_a_router_with_inclusions_are_documented() -> None:
    events = APIRouter()

    @events.post("/{$request.body#/url}/delivered")
    def delivered() -> None:
        return None

    callbacks = APIRouter()
    callbacks.include_router(events, prefix="/hooks")
    app = FastAPI()

    @app.post("/orders", callbacks=callbacks.routes)
    def create_order() -> str:
        return "ok"

    operation = TestClient(app).get("/openapi.json").json()["paths"]["/orders"]["post"]
    [paths] = operation["callbacks"].values()
    assert list(paths) == ["/hooks/{$request.body#/url}/delivered"]
