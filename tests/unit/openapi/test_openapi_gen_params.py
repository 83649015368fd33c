"""Parameters and request bodies in the generated OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel

from veloxapi import Body, Cookie, FastAPI, File, Form, Header, Path, Query, UploadFile

VALIDATION_REF = {"$ref": "#/components/schemas/HTTPValidationError"}


class Item(BaseModel):
    name: str
    price: float
    description: str | None = None


class Filters(BaseModel):
    limit: int = 100
    tag: str


class Login(BaseModel):
    username: str


def _operation(app: FastAPI, path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = app.openapi()["paths"][path][method]
    return operation


def test_query_path_header_cookie_parameters() -> None:
    app = FastAPI()

    @app.get("/items/{item_id}")
    def read_item(
        item_id: Annotated[int, Path(ge=1, description="The id")],
        q: str | None = None,
        limit: int = 10,
        user_agent: Annotated[str | None, Header()] = None,
        session: Annotated[str | None, Cookie(deprecated=True)] = None,
    ) -> None:
        return None

    assert _operation(app, "/items/{item_id}", "get")["parameters"] == [
        {
            "name": "item_id",
            "in": "path",
            "required": True,
            "description": "The id",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "title": "Item Id",
                "description": "The id",
            },
        },
        {
            "name": "q",
            "in": "query",
            "required": False,
            "schema": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Q"},
        },
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "default": 10, "title": "Limit"},
        },
        {
            "name": "user-agent",
            "in": "header",
            "required": False,
            "schema": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "User-Agent"},
        },
        {
            "name": "session",
            "in": "cookie",
            "required": False,
            "deprecated": True,
            "schema": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "title": "Session",
                "deprecated": True,
            },
        },
    ]


def test_parameter_examples_alias_and_hidden_parameters() -> None:
    app = FastAPI()

    @app.get("/search")
    def search(
        q: Annotated[
            str,
            Query(
                alias="item-query",
                examples=["a"],
                openapi_examples={"One": {"summary": "First", "value": "x"}},
            ),
        ],
        secret: Annotated[str | None, Query(include_in_schema=False)] = None,
    ) -> None:
        return None

    assert _operation(app, "/search", "get")["parameters"] == [
        {
            "name": "item-query",
            "in": "query",
            "required": True,
            "schema": {"type": "string", "examples": ["a"], "title": "Item-Query"},
            "examples": {"One": {"summary": "First", "value": "x"}},
        }
    ]


def test_query_model_expands_into_parameters() -> None:
    app = FastAPI()

    @app.get("/items")
    def items(filters: Annotated[Filters, Query()]) -> None:
        return None

    assert _operation(app, "/items", "get")["parameters"] == [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "default": 100, "title": "Limit"},
        },
        {
            "name": "tag",
            "in": "query",
            "required": True,
            "schema": {"type": "string", "title": "Tag"},
        },
    ]


def test_single_json_body_refers_to_the_model() -> None:
    app = FastAPI()

    @app.post("/items")
    def create(item: Item) -> None:
        return None

    document = app.openapi()
    operation = document["paths"]["/items"]["post"]
    assert operation["requestBody"] == {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
        "required": True,
    }
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == (
        VALIDATION_REF
    )
    assert document["components"]["schemas"]["Item"] == {
        "title": "Item",
        "type": "object",
        "properties": {
            "name": {"title": "Name", "type": "string"},
            "price": {"title": "Price", "type": "number"},
            "description": {
                "title": "Description",
                "anyOf": [{"type": "string"}, {"type": "null"}],
            },
        },
        "required": ["name", "price"],
    }
    assert document["components"]["schemas"]["ValidationError"]["properties"]["ctx"] == {
        "title": "Context",
        "type": "object",
    }


def test_several_body_parameters_become_a_body_model() -> None:
    app = FastAPI()

    @app.put("/items/{item_id}")
    def update(item_id: int, item: Item, importance: Annotated[int, Body(gt=0)]) -> None:
        return None

    document = app.openapi()
    body = document["paths"]["/items/{item_id}"]["put"]["requestBody"]
    assert body == {
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Body_update_items__item_id__put"}
            }
        },
        "required": True,
    }
    assert document["components"]["schemas"]["Body_update_items__item_id__put"] == {
        "title": "Body_update_items__item_id__put",
        "type": "object",
        "properties": {
            "item": {"$ref": "#/components/schemas/Item"},
            "importance": {"title": "Importance", "type": "integer", "exclusiveMinimum": 0},
        },
        "required": ["item", "importance"],
    }


def test_forms_and_files() -> None:
    app = FastAPI()

    @app.post("/login")
    def login(username: Annotated[str, Form()], password: Annotated[str, Form()]) -> None:
        return None

    @app.post("/upload")
    def upload(
        file: UploadFile, raw: Annotated[bytes, File()], note: Annotated[str, Form()]
    ) -> None:
        return None

    document = app.openapi()
    login_body = document["paths"]["/login"]["post"]["requestBody"]
    assert login_body["content"] == {
        "application/x-www-form-urlencoded": {
            "schema": {"$ref": "#/components/schemas/Body_login_login_post"}
        }
    }
    upload_body = document["paths"]["/upload"]["post"]["requestBody"]
    assert list(upload_body["content"]) == ["multipart/form-data"]
    properties = document["components"]["schemas"]["Body_upload_upload_post"]["properties"]
    binary = {"type": "string", "contentMediaType": "application/octet-stream"}
    assert properties["file"] == {**binary, "title": "File"}
    assert properties["raw"] == {**binary, "title": "Raw"}


def test_form_model_stands_for_the_whole_form() -> None:
    app = FastAPI()

    @app.post("/login")
    def login(data: Annotated[Login, Form()]) -> None:
        return None

    body = _operation(app, "/login", "post")["requestBody"]
    assert body == {
        "content": {
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Login"}}
        },
        "required": True,
    }


def test_route_without_input_has_no_validation_error() -> None:
    app = FastAPI()

    @app.get("/")
    def root() -> None:
        return None

    document = app.openapi()
    assert "422" not in document["paths"]["/"]["get"]["responses"]
    assert "components" not in document


def test_alike_declarations_with_different_constraints_stay_apart() -> None:
    app = FastAPI()

    @app.get("/a/{item_id}")
    def a(item_id: Annotated[int, Path(ge=3)]) -> None:
        return None

    @app.get("/b/{item_id}")
    def b(item_id: Annotated[int, Path()]) -> None:
        return None

    document = app.openapi()
    schema_a = document["paths"]["/a/{item_id}"]["get"]["parameters"][0]["schema"]
    schema_b = document["paths"]["/b/{item_id}"]["get"]["parameters"][0]["schema"]
    assert schema_a == {"type": "integer", "minimum": 3, "title": "Item Id"}
    assert schema_b == {"type": "integer", "title": "Item Id"}


def test_validation_alias_names_the_parameter() -> None:
    app = FastAPI()

    @app.get("/")
    def read(p: Annotated[str, Query(validation_alias="p_val_alias")]) -> None:
        return None

    assert _operation(app, "/", "get")["parameters"] == [
        {
            "name": "p_val_alias",
            "in": "query",
            "required": True,
            "schema": {"type": "string", "title": "P Val Alias"},
        }
    ]


def test_upload_description_and_form_media_type() -> None:
    app = FastAPI()

    @app.post("/upload")
    def upload(file: Annotated[UploadFile, File(description="The file")]) -> None:
        return None

    @app.post("/form")
    def form(
        name: Annotated[str, Form(media_type="application/x-www-form-urlencoded; charset=utf-8")],
        token: Annotated[str, Form(media_type="application/x-www-form-urlencoded; charset=utf-8")],
    ) -> None:
        return None

    document = app.openapi()
    body = document["components"]["schemas"]["Body_upload_upload_post"]
    assert body["properties"]["file"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
        "title": "File",
        "description": "The file",
    }
    content = document["paths"]["/form"]["post"]["requestBody"]["content"]
    assert list(content) == ["application/x-www-form-urlencoded; charset=utf-8"]


def test_optional_query_model_fields_are_optional() -> None:
    app = FastAPI()

    @app.get("/items")
    def items(filters: Annotated[Filters | None, Query()] = None) -> None:
        return None

    parameters = _operation(app, "/items", "get")["parameters"]
    assert [(p["name"], p["required"]) for p in parameters] == [("limit", False), ("tag", False)]


class Profile(BaseModel):
    name: str
    age: int


def test_form_models_among_form_fields() -> None:
    app = FastAPI()

    @app.post("/profiles")
    def create(
        token: Annotated[str, Form()],
        profile: Annotated[Profile | None, Form()] = None,
    ) -> None:
        return None

    document = app.openapi()
    body = document["components"]["schemas"]["Body_create_profiles_post"]
    assert body["properties"] == {"token": {"type": "string", "title": "Token"}}
    assert body["allOf"] == [
        {
            "anyOf": [
                {"not": {"anyOf": [{"required": ["age"]}, {"required": ["name"]}]}},
                {"anyOf": [{"$ref": "#/components/schemas/Profile"}], "title": "Profile"},
            ]
        }
    ]
