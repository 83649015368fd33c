"""What FastAPI's routes expose to libraries: the dependant view, body and response fields."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from veloxapi import APIRouter, Body, Depends, FastAPI, Header, routing
from veloxapi.dependencies.utils import get_parameterless_sub_dependant
from veloxapi.exceptions import FastAPIError, ResponseValidationError
from veloxapi.routing import (
    APIRoute,
    _DefaultLifespan,
    iter_route_contexts,
    request_response,
    serialize_response,
)
from veloxapi.testclient import TestClient


class Item(BaseModel):
    name: str
    price: float = 0.0


def route_of(app: FastAPI, path: str) -> APIRoute:
    """The route serving ``path``, as its inclusion (if any) sees it."""
    contexts = iter_route_contexts(app.routes)
    return next(
        c.effective_route for c in contexts if isinstance(c.route, APIRoute) and c.path == path
    )


def test_dependency_added_to_the_view_runs_after_the_handler_is_rebuilt() -> None:
    app = FastAPI()
    seen: list[str] = []

    @app.get("/items")
    def items() -> list[str]:
        return seen

    def record(x_user: Annotated[str, Header()]) -> None:
        seen.append(x_user)

    route = route_of(app, "/items")
    route.dependant.dependencies.append(
        get_parameterless_sub_dependant(depends=Depends(record), path=route.path_format)
    )
    route.app = request_response(route.get_route_handler())
    client = TestClient(app)
    assert client.get("/items", headers={"x-user": "ann"}).json() == ["ann"]
    missing = client.get("/items")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["header", "x-user"]
    parameters = app.openapi()["paths"]["/items"]["get"]["parameters"]
    assert [p["name"] for p in parameters] == ["x-user"]


def test_body_and_response_fields_describe_the_route() -> None:
    app = FastAPI()

    @app.post("/items")
    def create(item: Item, note: Annotated[str, Body()] = "") -> Item:
        return item

    route = route_of(app, "/items")
    assert route._embed_body_fields
    body = route.body_field
    assert body is not None and set(body.field_info.annotation.model_fields) == {"item", "note"}  # type: ignore[union-attr]
    assert route.response_field is not None and route.response_field.type_ is Item


def test_falsy_response_model_is_no_model() -> None:
    app = FastAPI()

    @app.get("/anything", response_model={})
    def anything() -> dict[str, int]:
        return {"x": 1}

    assert TestClient(app).get("/anything").json() == {"x": 1}
    assert route_of(app, "/anything").response_field is None
    responses = app.openapi()["paths"]["/anything"]["get"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {}


@pytest.mark.anyio
async def test_serialize_response_validates_and_dumps() -> None:
    app = FastAPI()

    @app.get("/item", response_model=Item, response_model_exclude_unset=True)
    def item() -> Item:
        return Item(name="lamp")

    field = route_of(app, "/item").response_field
    dumped = await serialize_response(
        field=field, response_content={"name": "lamp"}, exclude_unset=True
    )
    assert dumped == {"name": "lamp"}
    with pytest.raises(ResponseValidationError):
        await serialize_response(field=field, response_content={"price": "free"})
    assert await serialize_response(response_content={"a": (1, 2)}) == {"a": [1, 2]}


def test_default_lifespan_runs_startup_and_shutdown_handlers_once() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def composed(app: FastAPI) -> AsyncIterator[None]:
        async with _DefaultLifespan(app.router):
            events.append("inside")
            yield

    app = FastAPI(lifespan=composed)
    app.router.add_event_handler("startup", lambda: events.append("startup"))
    app.router.add_event_handler("shutdown", lambda: events.append("shutdown"))
    with TestClient(app):
        pass
    assert events == ["startup", "inside", "shutdown"]


def test_view_of_an_included_route_is_its_own() -> None:
    router = APIRouter()

    @router.get("/ping")
    def ping() -> str:
        return "pong"

    app = FastAPI()
    app.include_router(router, prefix="/api")
    included = route_of(app, "/api/ping")
    assert included.dependant is not router.routes[0].dependant  # type: ignore[attr-defined]
    assert included.dependant.call is ping


def test_integration_wrapping_get_request_handler_traces_each_request_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = routing.get_request_handler
    traced: list[str] = []

    def tracing_handler(*args: Any, **kwargs: Any) -> Any:
        # what Sentry's FastAPI integration does: wrap the endpoint the handler will call
        dependant = kwargs["dependant"]
        endpoint = dependant.call

        @functools.wraps(endpoint)
        def traced_endpoint(*call_args: Any, **call_kwargs: Any) -> Any:
            traced.append(endpoint.__name__)
            return endpoint(*call_args, **call_kwargs)

        dependant.call = traced_endpoint
        return original(*args, **kwargs)

    monkeypatch.setattr(routing, "get_request_handler", tracing_handler)
    router = APIRouter()

    @router.get("/items/{item_id}")
    def read_item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    app = FastAPI()
    app.include_router(router, prefix="/api")
    client = TestClient(app)
    for item_id in (1, 2, 3):
        assert client.get(f"/api/items/{item_id}").json() == {"item_id": item_id}
    assert traced == ["read_item"] * 3


def test_get_request_handler_needs_the_route() -> None:
    with pytest.raises(FastAPIError, match=r"route\.get_route_handler"):
        routing.get_request_handler(dependant=None)
