"""Responses, security, callbacks, webhooks and document metadata."""

import warnings
from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, computed_field

from veloxapi import APIRouter, Depends, FastAPI, Security
from veloxapi.openapi.utils import get_openapi
from veloxapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from veloxapi.security import HTTPBearer, OAuth2PasswordBearer
from veloxapi.sse import EventSourceResponse


class Item(BaseModel):
    name: str


class Message(BaseModel):
    message: str


class Rectangle(BaseModel):
    width: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def double(self) -> int:
        return self.width * 2


def _responses(app: FastAPI, path: str, method: str = "get") -> dict[str, Any]:
    responses: dict[str, Any] = app.openapi()["paths"][path][method]["responses"]
    return responses


def test_response_model_and_additional_responses() -> None:
    app = FastAPI()

    @app.get(
        "/items",
        response_model=list[Item],
        responses={
            404: {"model": Message, "description": "Not found"},
            "5xx": {"description": "Server trouble"},
            200: {"content": {"application/json": {"example": [{"name": "x"}]}}},
        },
    )
    def items() -> list[Item]:
        return []

    assert _responses(app, "/items") == {
        "200": {
            "description": "Successful Response",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Item"},
                        "title": "Response Items Items Get",
                    },
                    "example": [{"name": "x"}],
                }
            },
        },
        "404": {
            "description": "Not found",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}},
        },
        "5XX": {"description": "Server trouble"},
    }


def test_response_classes_and_status_codes() -> None:
    app = FastAPI()

    @app.get("/page", response_class=HTMLResponse)
    def page() -> str:
        return "<p>hi</p>"

    @app.get("/text", response_class=PlainTextResponse, responses={418: {}})
    def text() -> str:
        return "hi"

    @app.delete("/thing", status_code=204)
    def delete() -> None:
        return None

    @app.get("/go", response_class=RedirectResponse)
    def go() -> str:
        return "/page"

    assert _responses(app, "/page")["200"]["content"] == {
        "text/html": {"schema": {"type": "string"}}
    }
    assert _responses(app, "/text")["418"] == {"description": "I'm a Teapot"}
    assert _responses(app, "/thing", "delete") == {"204": {"description": "Successful Response"}}
    assert _responses(app, "/go") == {"307": {"description": "Successful Response"}}


def test_invalid_response_key_is_refused() -> None:
    app = FastAPI()

    @app.get("/", responses={"hello": {"description": "nope"}})
    def root() -> None:
        return None

    with pytest.raises(ValueError, match="hello"):
        app.openapi()


def test_security_schemes_and_merged_scopes() -> None:
    oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"read": "Read", "write": "Write"})
    bearer = HTTPBearer()

    def current_user(token: Annotated[str, Security(oauth2, scopes=["read"])]) -> str:
        return token

    app = FastAPI()

    @app.get("/items")
    def items(
        user: Annotated[str, Security(current_user, scopes=["write"])],
        credentials: Annotated[Any, Depends(bearer)],
    ) -> None:
        return None

    document = app.openapi()
    assert document["paths"]["/items"]["get"]["security"] == [
        {"OAuth2PasswordBearer": ["write", "read"]},
        {"HTTPBearer": []},
    ]
    assert document["components"]["securitySchemes"] == {
        "OAuth2PasswordBearer": {
            "type": "oauth2",
            "flows": {
                "password": {"scopes": {"read": "Read", "write": "Write"}, "tokenUrl": "token"}
            },
        },
        "HTTPBearer": {"type": "http", "scheme": "bearer"},
    }


def test_callbacks_webhooks_extra_and_metadata() -> None:
    callbacks = APIRouter()

    @callbacks.post("{$callback_url}/events")
    def event_callback(body: Item) -> None:
        return None

    app = FastAPI(title="Shop", version="2.0", summary="S", description="D")

    @app.post(
        "/subscribe",
        callbacks=callbacks.routes,
        tags=["subs"],
        deprecated=True,
        openapi_extra={"x-extra": 1, "parameters": [{"name": "x", "in": "query"}]},
    )
    def subscribe(url: str) -> None:
        """Subscribe.

        Long text.
        \f
        Hidden.
        """

    @app.webhooks.post("new-item")
    def new_item(body: Item) -> None:
        return None

    document = app.openapi()
    assert document["info"] == {
        "title": "Shop",
        "version": "2.0",
        "summary": "S",
        "description": "D",
    }
    operation = document["paths"]["/subscribe"]["post"]
    assert operation["tags"] == ["subs"]
    assert operation["deprecated"] is True
    assert operation["description"] == "Subscribe.\n\nLong text."
    assert operation["x-extra"] == 1
    assert [p["name"] for p in operation["parameters"]] == ["url", "x"]
    callback = operation["callbacks"]["event_callback"]["{$callback_url}/events"]["post"]
    assert callback["operationId"] == "event_callback__callback_url__events_post"
    webhook = document["webhooks"]["new-item"]["post"]
    assert webhook["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Item"
    }


def test_input_and_output_schemas() -> None:
    def build(separate: bool) -> dict[str, Any]:
        app = FastAPI(separate_input_output_schemas=separate)

        @app.post("/rect")
        def rect(body: Rectangle) -> Rectangle:
            return body

        schemas: dict[str, Any] = app.openapi()["components"]["schemas"]
        return schemas

    for separate in (True, False):
        schemas = build(separate)
        assert "Rectangle-Input" in schemas
        assert schemas["Rectangle-Output"]["properties"]["double"]["readOnly"] is True


def test_streams_are_described_per_item() -> None:
    app = FastAPI()

    @app.get("/lines")
    async def lines() -> AsyncIterator[Item]:
        yield Item(name="a")

    @app.get("/events", response_class=EventSourceResponse)
    async def events() -> AsyncIterator[Item]:
        yield Item(name="a")

    assert _responses(app, "/lines")["200"]["content"] == {
        "application/jsonl": {"itemSchema": {"$ref": "#/components/schemas/Item"}}
    }
    event = _responses(app, "/events")["200"]["content"]["text/event-stream"]["itemSchema"]
    assert event["required"] == ["data"]
    assert event["properties"]["data"] == {
        "type": "string",
        "contentMediaType": "application/json",
        "contentSchema": {"$ref": "#/components/schemas/Item"},
    }


def test_duplicate_operation_ids_warn() -> None:
    app = FastAPI()

    @app.get("/a", operation_id="same")
    def a() -> None:
        return None

    @app.get("/b", operation_id="same")
    def b() -> None:
        return None

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app.openapi()
    assert any("Duplicate Operation ID same" in str(w.message) for w in caught)


def test_get_openapi_without_routes() -> None:
    document = get_openapi(
        title="Empty",
        version="1",
        routes=[],
        tags=[{"name": "x", "description": "X"}],
        servers=[{"url": "https://example.com/api"}],
        license_info={"name": "MIT", "identifier": "MIT"},
        external_docs={"url": "https://example.com/docs"},
    )
    assert document == {
        "openapi": "3.1.0",
        "info": {"title": "Empty", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
        "servers": [{"url": "https://example.com/api"}],
        "paths": {},
        "tags": [{"name": "x", "description": "X"}],
        "externalDocs": {"url": "https://example.com/docs"},
    }
