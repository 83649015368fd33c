"""Header and query alias choices: which name a value is read under, and how errors name it."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from veloxapi import FastAPI, Header, Query
from veloxapi.testclient import TestClient


class Choice(BaseModel):
    model_config = ConfigDict(extra="allow")
    value: Annotated[int, Field(validation_alias=AliasChoices("X-First", "X-Second"))]


class ByName(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    x_values: Annotated[list[int], Field(alias="X-Other")]


class NamesOnly(BaseModel):
    model_config = ConfigDict(validate_by_alias=False, validate_by_name=True)
    size: Annotated[int, Field(alias="Size")]


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/plain")
    def plain(
        value: Annotated[int, Header(validation_alias=AliasChoices("X-First", "X-Second"))],
    ) -> int:
        return value

    @app.get("/model")
    def model(data: Annotated[Choice, Header()]) -> dict[str, object]:
        return data.model_dump()

    return app


def test_errors_name_a_header_choice_as_declared() -> None:
    client = TestClient(_app())
    for path in ("/plain", "/model"):
        missing = client.get(path).json()["detail"][0]
        assert (missing["type"], missing["loc"]) == ("missing", ["header", "X-First"])
        invalid = client.get(path, headers={"x-second": "nope"}).json()["detail"][0]
        assert invalid["loc"] == ["header", "X-Second"]


def test_a_later_choice_sent_beside_the_first_is_an_extra_key() -> None:
    client = TestClient(_app())
    client.headers.clear()
    body = client.get("/model", headers={"x-first": "1", "x-second": "2"}).json()
    assert body["value"] == 1
    assert body["x-second"] == "2"


def test_a_header_model_field_name_follows_convert_underscores() -> None:
    app = FastAPI()

    @app.get("/")
    def read(data: Annotated[ByName, Header()]) -> list[int]:
        return data.x_values

    client = TestClient(app)
    assert client.get("/", headers={"x-values": "3"}).json() == [3]
    assert client.get("/", headers={"x_values": "3"}).status_code == 422


def test_a_query_model_can_refuse_its_aliases() -> None:
    app = FastAPI()

    @app.get("/")
    def read(q: Annotated[NamesOnly, Query()]) -> int:
        return q.size

    client = TestClient(app)
    assert client.get("/?size=2").json() == 2
    assert client.get("/?Size=2").status_code == 422
