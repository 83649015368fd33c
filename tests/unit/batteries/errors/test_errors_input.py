"""``@parses_input`` and ``input_status_map``: a 4xx only for failures to parse the input."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

from veloxapi import Depends, Header, Query, VeloxAPI
from veloxapi.batteries.errors import ErrorSettings, install_errors, is_input_error, parses_input
from veloxapi.testclient import TestClient


class Cursor(BaseModel):
    offset: int


@parses_input
def cursor(after: Annotated[str, Query()] = "") -> Cursor:
    """A page token: base64 of a small JSON object."""
    if not after:
        return Cursor(offset=0)
    return Cursor(**json.loads(base64.urlsafe_b64decode(after)))


@parses_input
async def filters(x_filter: Annotated[str, Header()] = "{}") -> dict[str, Any]:
    decoded = json.loads(x_filter)
    if not isinstance(decoded, dict):
        raise ValueError("X-Filter must be a JSON object")
    return decoded


class Sort:
    def __init__(self, sort: str = "name") -> None:
        if sort not in ("name", "date"):
            raise ValueError(f"cannot sort by {sort!r}; use name or date")
        self.field = sort


@parses_input
def dumps_something() -> None:
    raise PydanticSerializationError("Error serializing to JSON: depth exceeded")


def build(**settings: object) -> TestClient:
    app = VeloxAPI()
    install_errors(app, ErrorSettings(**settings))  # type: ignore[arg-type]

    @app.get("/items")
    def items(
        page: Annotated[Cursor, Depends(cursor)],
        where: Annotated[dict[str, Any], Depends(filters)],
        order: Annotated[Sort, Depends(parses_input(Sort))],
    ) -> dict[str, Any]:
        return {"offset": page.offset, "where": where, "sort": order.field}

    @app.get("/endpoint-bug")
    def endpoint_bug(page: Annotated[Cursor, Depends(cursor)]) -> None:
        int("internal-setting-xyz")

    return TestClient(app)


def token(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def test_parsers_keep_their_signature_and_work() -> None:
    client = build(input_status_map={ValueError: 400})
    response = client.get(
        "/items",
        params={"after": token({"offset": 5}), "sort": "date"},
        headers={"X-Filter": '{"a": 1}'},
    )
    assert response.status_code == 200
    assert response.json() == {"offset": 5, "where": {"a": 1}, "sort": "date"}
    assert client.get("/items", params={"sort": 3.5}).status_code == 400


@pytest.mark.parametrize(
    ("params", "headers", "message"),
    [
        pytest.param({"after": "abc"}, {}, "Incorrect padding", id="sync-function"),
        pytest.param(
            {}, {"X-Filter": "[1]"}, "X-Filter must be a JSON object", id="async-function"
        ),
        pytest.param({}, {"X-Filter": "{"}, "Expecting property name", id="library-value-error"),
        pytest.param({"sort": "price"}, {}, "cannot sort by 'price'", id="class"),
    ],
)
def test_input_errors_are_4xx_with_their_message_when_opted_in(
    params: dict[str, str], headers: dict[str, str], message: str
) -> None:
    response = build(input_status_map={ValueError: 400}).get(
        "/items", params=params, headers=headers
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_request"
    assert message in body["detail"]


def test_pydantic_validation_error_in_a_parser_follows_the_input_map() -> None:
    bad = token({"offset": "many"})
    assert build().get("/items", params={"after": bad}).status_code == 500
    response = build(input_status_map={ValueError: 422}).get("/items", params={"after": bad})
    assert response.status_code == 422
    assert "offset" in response.json()["detail"]


def test_without_the_opt_in_input_errors_stay_500() -> None:
    response = build().get("/items", params={"sort": "price"})
    assert response.status_code == 500
    assert "price" not in response.text


def test_the_same_exception_from_endpoint_code_is_500() -> None:
    response = build(input_status_map={ValueError: 400}).get("/endpoint-bug")
    assert response.status_code == 500
    assert "internal-setting" not in response.text


def test_problem_json_shape_for_input_errors() -> None:
    client = build(input_status_map={ValueError: 400}, problem_json=True)
    response = client.get("/items", params={"sort": "price"})
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 400
    assert response.json()["type"] == "about:blank"


def test_serialization_errors_are_never_input() -> None:
    app = VeloxAPI()
    install_errors(app, ErrorSettings(input_status_map={ValueError: 400}))

    @app.get("/x")
    def x(value: Annotated[None, Depends(dumps_something)]) -> None:
        return value

    response = TestClient(app).get("/x")
    assert response.status_code == 500
    assert "serializing" not in response.text


def test_the_tag_marks_only_exceptions_that_escaped_a_parser() -> None:
    @parses_input
    def parse(text: str) -> int:
        return int(text)

    with pytest.raises(ValueError) as raised:
        parse("x")
    assert is_input_error(raised.value)
    assert not is_input_error(ValueError("elsewhere"))


def test_without_the_battery_a_parser_failure_is_an_ordinary_500() -> None:
    app = VeloxAPI()

    @app.get("/items")
    def items(page: Annotated[Cursor, Depends(cursor)]) -> int:
        return page.offset

    response = TestClient(app, raise_server_exceptions=False).get("/items", params={"after": "%"})
    assert response.status_code == 500
    assert response.text == "Internal Server Error"


def test_yield_dependencies_cannot_be_marked() -> None:
    def session() -> Iterator[int]:
        yield 1

    with pytest.raises(TypeError, match="dependency with yield"):
        parses_input(session)
