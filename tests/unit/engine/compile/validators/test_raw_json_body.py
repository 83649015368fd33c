"""A plain model body validated straight from the JSON bytes: same answers, same errors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from veloxapi import Body, FastAPI, Query, Request
from veloxapi.exceptions import RequestValidationError
from veloxapi.testclient import TestClient


class Item(BaseModel):
    name: str = Field(min_length=1)
    price: float
    tags: list[str] = []


class StrictStamp(BaseModel):
    model_config = ConfigDict(strict=True)
    at: datetime


def build() -> TestClient:
    app = FastAPI()
    seen: dict[str, Any] = {}

    @app.exception_handler(RequestValidationError)
    async def keep_body(request: Request, exc: RequestValidationError) -> Any:
        from veloxapi.responses import JSONResponse

        seen["body"] = exc.body
        return JSONResponse({"detail": exc.errors(), "body": exc.body}, status_code=422)

    @app.post("/items")
    async def create(item: Item) -> Item:
        return item

    @app.post("/items-limited")
    async def create_limited(item: Item, limit: Annotated[int, Query(le=5)]) -> Item:
        return item

    @app.post("/stamp")
    async def stamp(value: StrictStamp) -> dict[str, str]:
        return {"at": value.at.isoformat()}

    @app.post("/constrained")
    async def constrained(item: Annotated[Item, Body(examples=[{"name": "x", "price": 1}])]) -> str:
        return item.name

    return TestClient(app)


def post(client: TestClient, path: str, raw: bytes) -> Any:
    return client.post(path, content=raw, headers={"content-type": "application/json"})


def test_a_valid_body_is_the_model() -> None:
    response = post(build(), "/items", b'{"name": "lamp", "price": 3, "tags": ["a"]}')
    assert response.status_code == 200
    assert response.json() == {"name": "lamp", "price": 3.0, "tags": ["a"]}


def test_invalid_json_is_reported_as_fastapi_does() -> None:
    response = post(build(), "/items", b'{"name": "lamp", "price": }')
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["type"] == "json_invalid"
    assert error["loc"] == ["body", 26]
    assert error["ctx"] == {"error": "Expecting value"}


def test_validation_errors_carry_the_parsed_body() -> None:
    client = build()
    response = post(client, "/items", b'{"name": "", "price": "x"}')
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "name"], ["body", "price"]]
    assert response.json()["body"] == {"name": "", "price": "x"}
    # the body validated, another parameter did not: the error still carries the body
    response = client.post(
        "/items-limited?limit=9",
        content=b'{"name": "lamp", "price": 1}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]
    assert response.json()["body"] == {"name": "lamp", "price": 1}


def test_strict_models_keep_python_mode_semantics() -> None:
    # in JSON mode a strict datetime accepts a string; FastAPI validates json.loads output
    # in Python mode, where a strict datetime refuses one
    response = post(build(), "/stamp", b'{"at": "2026-12-05T10:00:00"}')
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "datetime_type"


def test_declarations_on_the_parameter_still_apply() -> None:
    assert post(build(), "/constrained", b'{"name": "desk", "price": 2}').json() == "desk"


def test_nan_and_huge_numbers_answer_as_before() -> None:
    client = build()
    assert post(client, "/items", b'{"name": "a", "price": NaN}').status_code == 200
    digits = b"9" * 5000
    assert post(client, "/items", b'{"name": "a", "price": ' + digits + b"}").status_code == 400


def test_a_valid_plain_model_body_is_not_parsed_twice(monkeypatch: Any) -> None:
    import veloxapi._engine.run.inputs as inputs

    client = build()

    def refuse(raw: bytes) -> Any:
        raise AssertionError("json.loads was called for a body validated from its bytes")

    monkeypatch.setattr(inputs.json, "loads", refuse)
    assert post(client, "/items", b'{"name": "lamp", "price": 3}').status_code == 200
