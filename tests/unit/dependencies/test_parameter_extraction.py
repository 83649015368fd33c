"""``request_params_to_args`` / ``request_body_to_args``: one source's fields read outside
a route, with the values and errors a request would give."""

from typing import Annotated, Any

import pytest
from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from starlette.datastructures import FormData, Headers, QueryParams

from veloxapi import FastAPI, Form, Header, Query
from veloxapi.dependencies.utils import (
    get_dependant,
    request_body_to_args,
    request_params_to_args,
)
from veloxapi.testclient import TestClient


class Item(BaseModel):
    name: str


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")
    value: str


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = 10


def test_plain_query_values_and_errors() -> None:
    def endpoint(
        q: Annotated[int, Query()], tags: Annotated[list[str] | None, Query()] = None
    ) -> None: ...

    fields = get_dependant(path="/", call=endpoint).query_params
    values, errors = request_params_to_args(fields, QueryParams("q=3&tags=a&tags=b"))
    assert (values, errors) == ({"q": 3, "tags": ["a", "b"]}, [])
    values, errors = request_params_to_args(fields, QueryParams("q=x"))
    assert values == {}
    assert [(e["type"], e["loc"]) for e in errors] == [("int_parsing", ("query", "q"))]


def test_header_model_refuses_extras_by_wire_name() -> None:
    def endpoint(data: Annotated[Strict, Header()]) -> None: ...

    fields = get_dependant(path="/", call=endpoint).header_params
    values, errors = request_params_to_args(
        fields, Headers(raw=[(b"limit", b"5"), (b"x-other", b"1")])
    )
    assert values == {}
    assert [(e["type"], e["loc"], e["input"]) for e in errors] == [
        ("extra_forbidden", ("header", "x-other"), "1")
    ]
    values, errors = request_params_to_args(fields, Headers(raw=[(b"limit", b"5")]))
    assert errors == []
    assert values["data"] == Strict(limit=5)


@pytest.mark.anyio
async def test_form_body_and_missing_field() -> None:
    def endpoint(name: Annotated[str, Form()], age: Annotated[int, Form()] = 1) -> None: ...

    fields = get_dependant(path="/", call=endpoint).body_params
    values, errors = await request_body_to_args(fields, FormData([("name", "ada")]), True)
    assert (values, errors) == ({"name": "ada", "age": 1}, [])
    values, errors = await request_body_to_args(fields, FormData([("age", "2")]), True)
    assert values == {}
    assert [(e["type"], e["loc"]) for e in errors] == [("missing", ("body", "name"))]


@pytest.mark.anyio
async def test_json_body_single_and_embedded() -> None:
    def single(item: Item) -> None: ...

    fields = get_dependant(path="/", call=single).body_params
    values, errors = await request_body_to_args(fields, {"name": "x"}, False)
    assert (values, errors) == ({"item": Item(name="x")}, [])
    values, errors = await request_body_to_args(fields, {"name": "x"}, True)
    assert [(e["type"], e["loc"]) for e in errors] == [("missing", ("body", "item"))]


def test_form_model_keeps_empty_and_repeated_extras() -> None:
    app = FastAPI()

    @app.post("/")
    def endpoint(data: Annotated[Loose, Form()]) -> dict[str, Any]:
        return data.model_dump()

    response = TestClient(app).post("/", data={"value": "v", "empty": "", "many": ["a", "b"]})
    assert response.status_code == 200, response.text
    assert response.json() == {"value": "v", "empty": "", "many": ["a", "b"]}


class Choices(BaseModel):
    model_config = ConfigDict(extra="allow")
    value: Annotated[int, Field(validation_alias=AliasChoices("first", "second"))] = 10


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"first": "", "second": ""}, {"value": 10}),
        ({"first": "", "second": "5"}, {"value": 5}),
        ({"first": "5", "second": ""}, {"value": 5, "second": ""}),
    ],
)
def test_form_model_alias_choice_empty_text_is_absent_until_a_choice_is_used(
    data: dict[str, str], expected: dict[str, Any]
) -> None:
    app = FastAPI()

    @app.post("/")
    def endpoint(data: Annotated[Choices, Form()]) -> dict[str, Any]:
        return data.model_dump()

    response = TestClient(app).post("/", data=data)
    assert response.status_code == 200, response.text
    assert response.json() == expected
