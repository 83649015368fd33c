"""How plain path, query, header and cookie parameters are looked up in the request:
every source parsed once, all values validated together, errors exactly FastAPI's."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, Field

from veloxapi import Cookie, Depends, Header, Path, Query, VeloxAPI
from veloxapi.testclient import TestClient


def missing(*loc: str | int) -> dict[str, Any]:
    return {"type": "missing", "loc": list(loc), "msg": "Field required", "input": None}


def errors_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    detail: list[dict[str, Any]] = response.json()["detail"]
    return detail


def test_escaped_and_blank_query_values_are_decoded() -> None:
    app = VeloxAPI()

    @app.get("/search")
    async def search(q: str, sep: str = "", blank: str | None = None) -> dict[str, Any]:
        return {"q": q, "sep": sep, "blank": blank}

    client = TestClient(app)
    response = client.get("/search?q=a+b%26c%3Dd&sep=%2B&blank=&&")
    assert response.json() == {"q": "a b&c=d", "sep": "+", "blank": ""}
    response = client.get("/search?q=x&q=%C3%A9t%C3%A9")  # the last value, UTF-8 escapes
    assert response.json() == {"q": "été", "sep": "", "blank": None}


def test_a_key_without_equals_sign_is_a_blank_value() -> None:
    app = VeloxAPI()

    @app.get("/flag")
    async def flag(on: str | None = None) -> dict[str, Any]:
        return {"on": on}

    assert TestClient(app).get("/flag?on").json() == {"on": ""}


def test_path_and_query_errors_come_in_declaration_order_with_exact_bodies() -> None:
    app = VeloxAPI()

    @app.get("/items/{item_id}")
    async def read(
        item_id: int,
        q: str = Query(min_length=2),
        limit: int = Query(10, ge=1, le=100),
    ) -> dict[str, Any]:
        return {"item_id": item_id, "q": q, "limit": limit}

    client = TestClient(app)
    assert client.get("/items/3?q=ok").json() == {"item_id": 3, "q": "ok", "limit": 10}
    assert errors_of(client.get("/items/x?limit=0")) == [
        {
            "type": "int_parsing",
            "loc": ["path", "item_id"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "x",
        },
        missing("query", "q"),
        {
            "type": "greater_than_equal",
            "loc": ["query", "limit"],
            "msg": "Input should be greater than or equal to 1",
            "input": "0",
            "ctx": {"ge": 1},
        },
    ]


def test_the_same_name_in_path_query_header_and_cookie_reads_each_source() -> None:
    app = VeloxAPI()

    def from_query(value: str = Query(alias="name")) -> str:
        return value

    @app.get("/users/{name}")
    async def read(
        name: str,
        other: str = Depends(from_query),
        header: str = Header(alias="name"),
        cookie: str = Cookie(alias="name"),
    ) -> dict[str, Any]:
        return {"path": name, "query": other, "header": header, "cookie": cookie}

    client = TestClient(app)
    client.cookies.set("name", "c")
    response = client.get("/users/p?name=q", headers={"name": "h"})
    assert response.json() == {"path": "p", "query": "q", "header": "h", "cookie": "c"}
    client.cookies.clear()
    assert errors_of(client.get("/users/p")) == [  # the dependency's errors first
        missing("query", "name"),
        missing("header", "name"),
        missing("cookie", "name"),
    ]


def test_a_query_key_named_like_a_path_param_does_not_fill_a_missing_one() -> None:
    app = VeloxAPI()

    @app.get("/things")
    async def read(thing_id: int = Path()) -> dict[str, Any]:  # no {thing_id} in the path
        return {"thing_id": thing_id}

    assert errors_of(TestClient(app).get("/things?thing_id=1")) == [missing("path", "thing_id")]


def test_list_and_single_params_read_the_same_key() -> None:
    app = VeloxAPI()

    @app.get("/tags")
    async def tags(
        tag: str,
        every: list[int] = Query(alias="tag"),
    ) -> dict[str, Any]:
        return {"tag": tag, "every": every}

    client = TestClient(app)
    assert client.get("/tags?tag=1&tag=2").json() == {"tag": "2", "every": [1, 2]}
    assert errors_of(client.get("/tags?tag=1&tag=x")) == [
        {
            "type": "int_parsing",
            "loc": ["query", "tag", 1],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "x",
        }
    ]


def test_headers_take_their_first_value_and_lists_take_every_value() -> None:
    app = VeloxAPI()

    @app.get("/headers")
    async def read(
        x_token: int = Header(),
        x_tag: list[str] = Header(default=[]),
    ) -> dict[str, Any]:
        return {"token": x_token, "tags": x_tag}

    client = TestClient(app)
    response = client.get("/headers", headers=[("X-Token", "1"), ("x-token", "2"), ("x-tag", "a")])
    assert response.json() == {"token": 1, "tags": ["a"]}
    response = client.get("/headers", headers=[("x-token", "no"), ("x-tag", "a"), ("x-tag", "b")])
    assert errors_of(response) == [
        {
            "type": "int_parsing",
            "loc": ["header", "x-token"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "no",
        }
    ]
    assert errors_of(client.get("/headers")) == [missing("header", "x-token")]


def test_alias_choices_read_the_first_name_present_and_errors_name_it() -> None:
    app = VeloxAPI()

    @app.get("/pick")
    async def pick(
        size: Annotated[int, Query(validation_alias=AliasChoices("size", "s"))],
    ) -> dict[str, Any]:
        return {"size": size}

    client = TestClient(app)
    assert client.get("/pick?s=2").json() == {"size": 2}
    assert client.get("/pick?s=2&size=3").json() == {"size": 3}
    assert errors_of(client.get("/pick")) == [missing("query", "size")]
    assert errors_of(client.get("/pick?s=big"))[0]["loc"] == ["query", "s"]


def test_a_default_that_fails_validation_is_reported_under_the_source_and_alias() -> None:
    app = VeloxAPI()

    @app.get("/defaults")
    async def defaults(
        query: Annotated[int, Query(alias="q"), Field(validate_default=True)] = "x",  # type: ignore[assignment]
    ) -> dict[str, Any]:
        return {"query": query}

    client = TestClient(app)
    assert client.get("/defaults?q=4").json() == {"query": 4}
    assert errors_of(client.get("/defaults")) == [
        {
            "type": "int_parsing",
            "loc": ["query", "q"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "x",
        }
    ]


def test_dependencies_reading_the_same_query_each_get_their_values() -> None:
    app = VeloxAPI()

    def paging(limit: int = 10, offset: int = 0) -> tuple[int, int]:
        return limit, offset

    @app.get("/list")
    async def listing(
        page: tuple[int, int] = Depends(paging), limit: str = Query("none")
    ) -> dict[str, Any]:
        return {"page": list(page), "limit": limit}

    client = TestClient(app)
    assert client.get("/list?limit=5&offset=2").json() == {"page": [5, 2], "limit": "5"}
    assert client.get("/list").json() == {"page": [10, 0], "limit": "none"}
