"""Request parameters: query, header, cookie, path, body, form and file, and their 422 errors."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pytest
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from veloxapi import (
    Body,
    Cookie,
    File,
    Form,
    Header,
    Path,
    Query,
    UploadFile,
    VeloxAPI,
)
from veloxapi.testclient import TestClient


def missing(*loc: str | int, input: Any = None) -> dict[str, Any]:
    return {"type": "missing", "loc": list(loc), "msg": "Field required", "input": input}


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


class User(BaseModel):
    username: str


class FilterParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(100, gt=0, le=100)
    offset: int = Field(0, ge=0)
    order_by: Literal["created_at", "updated_at"] = "created_at"
    tags: list[str] = []


class CommonHeaders(BaseModel):
    host: str
    save_data: bool
    x_tag: list[str] = []


class SessionCookies(BaseModel):
    session_id: str
    tracker: str | None = None


class LoginForm(BaseModel):
    username: str
    password: str


# -- query ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def query_client() -> TestClient:
    app = VeloxAPI()

    @app.get("/required")
    def required(q: str) -> dict[str, Any]:
        return {"q": q}

    @app.get("/optional")
    def optional(q: str | None = None, n: int = 10) -> dict[str, Any]:
        return {"q": q, "n": n}

    @app.get("/alias")
    def alias(q: Annotated[str, Query(alias="item-query")]) -> dict[str, Any]:
        return {"q": q}

    @app.get("/list")
    def as_list(q: Annotated[list[int], Query()] = []) -> dict[str, Any]:  # noqa: B006
        return {"q": q}

    @app.get("/list-default")
    def list_default(q: Annotated[list[str], Query()] = ["a", "b"]) -> dict[str, Any]:  # noqa: B006
        return {"q": q}

    @app.get("/constraints")
    def constraints(
        name: Annotated[str, Query(min_length=2, max_length=5, pattern="^[a-z]+$")] = "ab",
        size: Annotated[int, Query(gt=0, le=10)] = 1,
        ratio: Annotated[float, Query(ge=0.0, lt=1.0)] = 0.5,
    ) -> dict[str, Any]:
        return {"name": name, "size": size, "ratio": ratio}

    @app.get("/flag")
    def flag(on: bool = False) -> dict[str, Any]:
        return {"on": on}

    @app.get("/old-style")
    def old_style(q: str = Query("fallback", max_length=3)) -> dict[str, Any]:
        return {"q": q}

    @app.get("/model")
    def model(filters: Annotated[FilterParams, Query()]) -> FilterParams:
        return filters

    return TestClient(app)


def test_required_query_param(query_client: TestClient) -> None:
    assert query_client.get("/required?q=x").json() == {"q": "x"}
    response = query_client.get("/required")
    assert response.status_code == 422
    assert response.json() == {"detail": [missing("query", "q")]}


def test_optional_query_params_use_defaults(query_client: TestClient) -> None:
    assert query_client.get("/optional").json() == {"q": None, "n": 10}
    assert query_client.get("/optional?q=hi&n=3").json() == {"q": "hi", "n": 3}


def test_last_value_wins_for_a_repeated_scalar_query_param(query_client: TestClient) -> None:
    assert query_client.get("/optional?n=1&n=2").json() == {"q": None, "n": 2}


def test_query_alias_is_used_for_lookup_and_error_location(query_client: TestClient) -> None:
    assert query_client.get("/alias?item-query=v").json() == {"q": "v"}
    response = query_client.get("/alias?q=v")
    assert response.status_code == 422
    assert response.json() == {"detail": [missing("query", "item-query")]}


def test_list_query_param_collects_repeated_values(query_client: TestClient) -> None:
    assert query_client.get("/list?q=1&q=2&q=3").json() == {"q": [1, 2, 3]}
    assert query_client.get("/list").json() == {"q": []}
    assert query_client.get("/list-default").json() == {"q": ["a", "b"]}
    assert query_client.get("/list-default?q=z").json() == {"q": ["z"]}


def test_list_query_param_error_points_at_the_bad_item(query_client: TestClient) -> None:
    response = query_client.get("/list?q=1&q=x")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["query", "q", 1],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "x",
            }
        ]
    }


def test_query_constraints_accept_valid_values(query_client: TestClient) -> None:
    response = query_client.get("/constraints?name=abc&size=10&ratio=0")
    assert response.json() == {"name": "abc", "size": 10, "ratio": 0.0}


@pytest.mark.parametrize(
    ("query", "error"),
    [
        (
            "name=abcdef",
            {
                "type": "string_too_long",
                "loc": ["query", "name"],
                "msg": "String should have at most 5 characters",
                "input": "abcdef",
                "ctx": {"max_length": 5},
            },
        ),
        (
            "name=a",
            {
                "type": "string_too_short",
                "loc": ["query", "name"],
                "msg": "String should have at least 2 characters",
                "input": "a",
                "ctx": {"min_length": 2},
            },
        ),
        (
            "name=AB",
            {
                "type": "string_pattern_mismatch",
                "loc": ["query", "name"],
                "msg": "String should match pattern '^[a-z]+$'",
                "input": "AB",
                "ctx": {"pattern": "^[a-z]+$"},
            },
        ),
        (
            "size=0",
            {
                "type": "greater_than",
                "loc": ["query", "size"],
                "msg": "Input should be greater than 0",
                "input": "0",
                "ctx": {"gt": 0},
            },
        ),
        (
            "size=11",
            {
                "type": "less_than_equal",
                "loc": ["query", "size"],
                "msg": "Input should be less than or equal to 10",
                "input": "11",
                "ctx": {"le": 10},
            },
        ),
        (
            "ratio=1",
            {
                "type": "less_than",
                "loc": ["query", "ratio"],
                "msg": "Input should be less than 1",
                "input": "1",
                "ctx": {"lt": 1.0},
            },
        ),
    ],
)
def test_query_constraint_errors_are_exact(
    query_client: TestClient, query: str, error: dict[str, Any]
) -> None:
    response = query_client.get(f"/constraints?{query}")
    assert response.status_code == 422
    assert response.json() == {"detail": [error]}


def test_several_errors_are_reported_together(query_client: TestClient) -> None:
    response = query_client.get("/constraints?name=a&size=0")
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["query", "name"],
        ["query", "size"],
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("yes", True), ("on", True), ("false", False), ("off", False)],
)
def test_bool_query_values(query_client: TestClient, raw: str, expected: bool) -> None:
    assert query_client.get(f"/flag?on={raw}").json() == {"on": expected}


def test_default_given_as_query_first_argument(query_client: TestClient) -> None:
    assert query_client.get("/old-style").json() == {"q": "fallback"}
    assert query_client.get("/old-style?q=abcd").status_code == 422


def test_pydantic_model_as_grouped_query_params(query_client: TestClient) -> None:
    response = query_client.get("/model?limit=5&order_by=updated_at&tags=a&tags=b")
    assert response.status_code == 200
    assert response.json() == {
        "limit": 5,
        "offset": 0,
        "order_by": "updated_at",
        "tags": ["a", "b"],
    }


def test_query_model_validation_error_and_extra_forbidden(query_client: TestClient) -> None:
    response = query_client.get("/model?limit=500")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "less_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be less than or equal to 100",
                "input": "500",
                "ctx": {"le": 100},
            }
        ]
    }
    response = query_client.get("/model?tool=plumbus")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["query", "tool"],
                "msg": "Extra inputs are not permitted",
                "input": "plumbus",
            }
        ]
    }


# -- headers and cookies -------------------------------------------------------------------


@pytest.fixture(scope="module")
def header_client() -> TestClient:
    app = VeloxAPI()

    @app.get("/headers")
    def headers(
        user_agent: Annotated[str | None, Header()] = None,
        x_token: Annotated[list[str] | None, Header()] = None,
        custom: Annotated[str | None, Header(alias="X-Custom-Name")] = None,
        raw_name: Annotated[str | None, Header(convert_underscores=False)] = None,
    ) -> dict[str, Any]:
        return {"ua": user_agent, "tokens": x_token, "custom": custom, "raw": raw_name}

    @app.get("/required-header")
    def required_header(x_api_key: Annotated[str, Header()]) -> str:
        return x_api_key

    @app.get("/header-model")
    def header_model(headers: Annotated[CommonHeaders, Header()]) -> CommonHeaders:
        return headers

    @app.get("/cookies")
    def cookies(
        session: Annotated[str | None, Cookie()] = None,
        count: Annotated[int, Cookie()] = 0,
    ) -> dict[str, Any]:
        return {"session": session, "count": count}

    @app.get("/cookie-model")
    def cookie_model(cookies: Annotated[SessionCookies, Cookie()]) -> SessionCookies:
        return cookies

    return TestClient(app)


def test_header_names_convert_underscores(header_client: TestClient) -> None:
    response = header_client.get(
        "/headers",
        headers=[
            ("User-Agent", "probe/1"),
            ("X-Token", "a"),
            ("X-Token", "b"),
            ("X-Custom-Name", "c"),
            ("raw_name", "r"),
        ],
    )
    assert response.json() == {"ua": "probe/1", "tokens": ["a", "b"], "custom": "c", "raw": "r"}


def test_header_without_underscore_conversion_ignores_dashed_name(
    header_client: TestClient,
) -> None:
    response = header_client.get("/headers", headers={"raw-name": "r"})
    assert response.json()["raw"] is None


def test_missing_required_header_error(header_client: TestClient) -> None:
    response = header_client.get("/required-header")
    assert response.status_code == 422
    assert response.json() == {"detail": [missing("header", "x-api-key")]}
    assert header_client.get("/required-header", headers={"X-API-KEY": "k"}).json() == "k"


def test_pydantic_model_as_grouped_headers(header_client: TestClient) -> None:
    response = header_client.get(
        "/header-model",
        headers=[("save-data", "true"), ("x-tag", "one"), ("x-tag", "two")],
    )
    assert response.status_code == 200
    assert response.json() == {"host": "testserver", "save_data": True, "x_tag": ["one", "two"]}
    response = header_client.get("/header-model")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "save-data"]
    assert response.json()["detail"][0]["type"] == "missing"


def test_cookies_are_read_and_typed(header_client: TestClient) -> None:
    response = header_client.get("/cookies", headers={"Cookie": "session=abc; count=3"})
    assert response.json() == {"session": "abc", "count": 3}
    assert header_client.get("/cookies").json() == {"session": None, "count": 0}
    response = header_client.get("/cookies", headers={"Cookie": "count=many"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["cookie", "count"]


def test_pydantic_model_as_grouped_cookies(header_client: TestClient) -> None:
    response = header_client.get("/cookie-model", headers={"Cookie": "session_id=s1"})
    assert response.json() == {"session_id": "s1", "tracker": None}
    response = header_client.get("/cookie-model")
    assert response.status_code == 422
    assert response.json() == {"detail": [missing("cookie", "session_id", input={})]}


def test_headers_are_matched_without_regard_to_case_in_the_raw_scope() -> None:
    """A server may hand over header names as the client spelt them: the parameters
    still find theirs, the dependency's cookie included, and other headers are ignored."""
    import asyncio

    app = VeloxAPI()

    @app.get("/who")
    def who(
        x_token: Annotated[list[str], Header()],
        snowman: Annotated[str | None, Header(alias="x-\u2603")] = None,  # never on the wire
        session: Annotated[str | None, Cookie()] = None,
    ) -> dict[str, Any]:
        return {"tokens": x_token, "snowman": snowman, "session": session}

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/who",
        "raw_path": b"/who",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"Host", b"example.org"),
            (b"X-Token", b"a"),
            (b"x-token", b"b"),
            (b"Cookie", b"theme=dark"),
            (b"COOKIE", b"session=s1"),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("example.org", 80),
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 200
    body = b"".join(m.get("body", b"") for m in sent[1:])
    assert body == b'{"tokens":["a","b"],"snowman":null,"session":"s1"}'


# -- path ----------------------------------------------------------------------------------


def test_path_constraints_and_annotated_path() -> None:
    app = VeloxAPI()

    @app.get("/items/{item_id}")
    def item(item_id: Annotated[int, Path(title="The ID", ge=1, le=1000)]) -> int:
        return item_id

    client = TestClient(app)
    assert client.get("/items/1000").json() == 1000
    response = client.get("/items/0")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than_equal",
                "loc": ["path", "item_id"],
                "msg": "Input should be greater than or equal to 1",
                "input": "0",
                "ctx": {"ge": 1},
            }
        ]
    }


# -- JSON bodies ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def body_client() -> TestClient:
    app = VeloxAPI()

    @app.post("/item")
    def create(item: Item) -> Item:
        return item

    @app.post("/optional-item")
    def optional(item: Item | None = None) -> dict[str, Any]:
        return {"item": item.model_dump() if item else None}

    @app.post("/embedded")
    def embedded(item: Annotated[Item, Body(embed=True)]) -> dict[str, Any]:
        return {"item": item.model_dump()}

    @app.post("/multiple")
    def multiple(item: Item, user: User, importance: Annotated[int, Body(gt=0)]) -> dict[str, Any]:
        return {"item": item.model_dump(), "user": user.model_dump(), "importance": importance}

    @app.post("/aliased")
    def aliased(payload: Annotated[dict[str, int], Body(alias="data", embed=True)]) -> Any:
        return payload

    @app.put("/items/{item_id}")
    def update(item_id: int, item: Item, q: str | None = None) -> dict[str, Any]:
        return {"item_id": item_id, "q": q, **item.model_dump()}

    @app.post("/scalar")
    def scalar(value: Annotated[list[int], Body()]) -> list[int]:
        return value

    @app.post("/lax", openapi_extra={}, strict_content_type=False)
    def lax(data: dict[str, Any]) -> dict[str, Any]:
        return data

    @app.post("/strict")
    def strict(data: dict[str, Any]) -> dict[str, Any]:
        return data

    return TestClient(app)


def test_model_body(body_client: TestClient) -> None:
    response = body_client.post("/item", json={"name": "x", "price": "1.5"})
    assert response.status_code == 200
    assert response.json() == {"name": "x", "price": 1.5, "tags": []}


def test_missing_body_error(body_client: TestClient) -> None:
    response = body_client.post("/item")
    assert response.status_code == 422
    assert response.json() == {"detail": [missing("body")]}


def test_missing_body_field_error_carries_the_body_as_input(body_client: TestClient) -> None:
    response = body_client.post("/item", json={"name": "x"})
    assert response.status_code == 422
    assert response.json() == {"detail": [missing("body", "price", input={"name": "x"})]}


def test_wrong_body_type_error(body_client: TestClient) -> None:
    response = body_client.post("/item", json={"name": "x", "price": "cheap"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "float_parsing",
                "loc": ["body", "price"],
                "msg": "Input should be a valid number, unable to parse string as a number",
                "input": "cheap",
            }
        ]
    }


def test_optional_body_may_be_omitted(body_client: TestClient) -> None:
    assert body_client.post("/optional-item").json() == {"item": None}
    response = body_client.post("/optional-item", json={"name": "n", "price": 1})
    assert response.json() == {"item": {"name": "n", "price": 1.0, "tags": []}}


def test_embedded_body_uses_the_parameter_name_as_key(body_client: TestClient) -> None:
    payload = {"item": {"name": "x", "price": 2}}
    assert body_client.post("/embedded", json=payload).json() == {
        "item": {"name": "x", "price": 2.0, "tags": []}
    }
    response = body_client.post("/embedded", json={"name": "x", "price": 2})
    assert response.status_code == 422
    assert response.json() == {"detail": [missing("body", "item")]}


def test_multiple_body_params_are_keyed_by_name(body_client: TestClient) -> None:
    payload = {"item": {"name": "x", "price": 1}, "user": {"username": "ann"}, "importance": 3}
    assert body_client.post("/multiple", json=payload).json() == {
        "item": {"name": "x", "price": 1.0, "tags": []},
        "user": {"username": "ann"},
        "importance": 3,
    }


def test_multiple_body_params_missing_reports_each(body_client: TestClient) -> None:
    response = body_client.post("/multiple")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            missing("body", "item"),
            missing("body", "user"),
            missing("body", "importance"),
        ]
    }


def test_multiple_body_params_nested_error_location(body_client: TestClient) -> None:
    payload = {"item": {"name": "x", "price": 1}, "user": {}, "importance": 0}
    response = body_client.post("/multiple", json=payload)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            missing("body", "user", "username", input={}),
            {
                "type": "greater_than",
                "loc": ["body", "importance"],
                "msg": "Input should be greater than 0",
                "input": 0,
                "ctx": {"gt": 0},
            },
        ]
    }


def test_body_alias(body_client: TestClient) -> None:
    assert body_client.post("/aliased", json={"data": {"a": 1}}).json() == {"a": 1}
    response = body_client.post("/aliased", json={"payload": {"a": 1}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data"]


def test_path_query_and_body_together(body_client: TestClient) -> None:
    response = body_client.put("/items/3?q=s", json={"name": "x", "price": 1})
    assert response.json() == {"item_id": 3, "q": "s", "name": "x", "price": 1.0, "tags": []}


def test_non_model_body(body_client: TestClient) -> None:
    assert body_client.post("/scalar", json=[1, "2"]).json() == [1, 2]


def test_invalid_json_body_error(body_client: TestClient) -> None:
    response = body_client.post(
        "/item", content=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "json_invalid",
                "loc": ["body", 9],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": "Expecting value"},
            }
        ]
    }


def test_json_without_content_type_is_rejected_unless_lax(body_client: TestClient) -> None:
    response = body_client.post("/strict", content=b'{"a": 1}')
    assert response.status_code == 422
    assert body_client.post("/lax", content=b'{"a": 1}').json() == {"a": 1}


def test_json_with_plus_json_content_type_is_accepted(body_client: TestClient) -> None:
    response = body_client.post(
        "/strict", content=b'{"a": 1}', headers={"Content-Type": "application/merge-patch+json"}
    )
    assert response.json() == {"a": 1}


def test_body_with_non_json_content_type_is_a_validation_error(body_client: TestClient) -> None:
    response = body_client.post(
        "/item", content=b'{"name": "x", "price": 1}', headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body"]


# -- forms and files -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def form_client() -> TestClient:
    app = VeloxAPI()

    @app.post("/login")
    def login(
        username: Annotated[str, Form()],
        password: Annotated[str, Form(min_length=3)],
        remember: Annotated[bool, Form()] = False,
    ) -> dict[str, Any]:
        return {"username": username, "password": password, "remember": remember}

    @app.post("/form-list")
    def form_list(tag: Annotated[list[str], Form()]) -> list[str]:
        return tag

    @app.post("/form-model")
    def form_model(data: Annotated[LoginForm, Form()]) -> LoginForm:
        return data

    @app.post("/bytes")
    def as_bytes(file: Annotated[bytes, File()]) -> dict[str, int]:
        return {"size": len(file)}

    @app.post("/upload")
    async def upload(file: UploadFile, note: Annotated[str, Form()] = "") -> dict[str, Any]:
        content = await file.read()
        return {
            "filename": file.filename,
            "content_type": file.content_type,
            "content": content.decode(),
            "note": note,
        }

    @app.post("/uploads")
    async def uploads(files: list[UploadFile]) -> list[str | None]:
        return [f.filename for f in files]

    @app.post("/optional-upload")
    async def optional_upload(file: UploadFile | None = None) -> dict[str, Any]:
        return {"filename": file.filename if file else None}

    return TestClient(app)


def test_form_fields(form_client: TestClient) -> None:
    response = form_client.post("/login", data={"username": "ann", "password": "secret"})
    assert response.json() == {"username": "ann", "password": "secret", "remember": False}


def test_form_missing_and_constraint_errors(form_client: TestClient) -> None:
    response = form_client.post("/login", data={"password": "ab"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            missing("body", "username"),
            {
                "type": "string_too_short",
                "loc": ["body", "password"],
                "msg": "String should have at least 3 characters",
                "input": "ab",
                "ctx": {"min_length": 3},
            },
        ]
    }


def test_form_list_field(form_client: TestClient) -> None:
    response = form_client.post("/form-list", data={"tag": ["a", "b"]})
    assert response.json() == ["a", "b"]


def test_pydantic_model_as_form(form_client: TestClient) -> None:
    response = form_client.post("/form-model", data={"username": "u", "password": "p"})
    assert response.json() == {"username": "u", "password": "p"}
    response = form_client.post("/form-model", data={"username": "u"})
    assert response.status_code == 422
    assert response.json() == {"detail": [missing("body", "password", input={"username": "u"})]}


def test_file_as_bytes(form_client: TestClient) -> None:
    response = form_client.post("/bytes", files={"file": ("a.bin", b"\x00\x01\x02")})
    assert response.json() == {"size": 3}
    response = form_client.post("/bytes")
    assert response.status_code == 422
    assert response.json() == {"detail": [missing("body", "file")]}


def test_upload_file_with_form_field(form_client: TestClient) -> None:
    response = form_client.post(
        "/upload",
        files={"file": ("hello.txt", b"hello", "text/plain")},
        data={"note": "n"},
    )
    assert response.json() == {
        "filename": "hello.txt",
        "content_type": "text/plain",
        "content": "hello",
        "note": "n",
    }


def test_several_upload_files(form_client: TestClient) -> None:
    files = [("files", ("a.txt", b"a")), ("files", ("b.txt", b"b"))]
    assert form_client.post("/uploads", files=files).json() == ["a.txt", "b.txt"]


def test_optional_upload_file(form_client: TestClient) -> None:
    assert form_client.post("/optional-upload").json() == {"filename": None}
    response = form_client.post("/optional-upload", files={"file": ("x.txt", b"x")})
    assert response.json() == {"filename": "x.txt"}


def test_string_sent_where_a_file_is_expected(form_client: TestClient) -> None:
    response = form_client.post("/upload", data={"file": "not a file"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


def test_non_form_body_to_form_endpoint(form_client: TestClient) -> None:
    response = form_client.post("/login", json={"username": "a", "password": "abc"})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["body", "username"],
        ["body", "password"],
    ]


# -- more: empty form values, file closing, validators, extra query fields ---------------


def test_empty_form_value_counts_as_missing() -> None:
    app = VeloxAPI()

    @app.post("/f")
    def f(
        required: Annotated[str, Form()],
        optional: Annotated[str, Form()] = "default",
    ) -> dict[str, str]:
        return {"required": required, "optional": optional}

    client = TestClient(app)
    response = client.post("/f", data={"required": "r", "optional": ""})
    assert response.json() == {"required": "r", "optional": "default"}
    response = client.post("/f", data={"required": ""})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "required"]
    assert response.json()["detail"][0]["type"] == "missing"


def test_uploaded_files_are_closed_after_the_request() -> None:
    kept: list[UploadFile] = []
    app = VeloxAPI()

    @app.post("/upload")
    async def upload(file: UploadFile) -> int:
        kept.append(file)
        return len(await file.read())

    assert TestClient(app).post("/upload", files={"file": ("a.txt", b"abc")}).json() == 3
    assert kept[0].file.closed


def check_id(value: str) -> str:
    if not value.startswith(("isbn-", "imdb-")):
        raise ValueError('Invalid ID format, it must start with "isbn-" or "imdb-"')
    return value


class OpenQuery(BaseModel):
    model_config = ConfigDict(extra="allow")
    known: int = 0


def test_value_error_from_a_validator_has_empty_error_ctx() -> None:
    app = VeloxAPI()

    @app.get("/items")
    def items(id: Annotated[str | None, AfterValidator(check_id)] = None) -> Any:
        return id

    response = TestClient(app).get("/items?id=wtf-yes")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "value_error",
                "loc": ["query", "id"],
                "msg": 'Value error, Invalid ID format, it must start with "isbn-" or "imdb-"',
                "input": "wtf-yes",
                "ctx": {"error": {}},
            }
        ]
    }


def test_query_model_allowing_extra_fields_keeps_them() -> None:
    app = VeloxAPI()

    @app.get("/open")
    def open_query(params: Annotated[OpenQuery, Query()]) -> dict[str, Any]:
        return params.model_dump()

    response = TestClient(app).get("/open?known=2&other=x")
    assert response.json() == {"known": 2, "other": "x"}


def test_unresolvable_annotation_is_reported_at_registration() -> None:
    from veloxapi.exceptions import FastAPIError

    class LocalModel(BaseModel):
        x: int

    app = VeloxAPI()
    with pytest.raises(FastAPIError, match="LocalModel"):

        @app.get("/x")
        def x(value: int = 0, extra: LocalModel | None = None) -> int:
            return value  # pragma: no cover


def test_top_level_list_of_models_body() -> None:
    app = VeloxAPI()

    @app.post("/batch")
    def batch(items: list[Item]) -> int:
        return len(items)

    client = TestClient(app)
    assert client.post("/batch", json=[{"name": "a", "price": 1}] * 3).json() == 3
    response = client.post("/batch", json=[{"name": "a", "price": 1}, {"name": "b"}])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", 1, "price"]


def test_query_list_with_alias() -> None:
    app = VeloxAPI()

    @app.get("/tags")
    def tags(values: Annotated[list[str], Query(alias="tag")]) -> list[str]:
        return values

    client = TestClient(app)
    assert client.get("/tags?tag=a&tag=b").json() == ["a", "b"]
    response = client.get("/tags")
    assert response.status_code == 422
    assert response.json() == {"detail": [missing("query", "tag")]}


def test_optional_list_query_param_is_none_when_absent() -> None:
    app = VeloxAPI()

    @app.get("/ids")
    def ids(id: Annotated[list[int] | None, Query()] = None) -> Any:
        return id

    client = TestClient(app)
    assert client.get("/ids").json() is None
    assert client.get("/ids?id=1&id=2").json() == [1, 2]


class AliasedQuery(BaseModel):
    item_id: int = Field(alias="item-id")
    sort: str = "asc"


class AliasedHeaders(BaseModel):
    trace: str = Field(alias="x-trace-id")


class TagForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    tags: list[str] = []


def test_grouped_models_honour_field_aliases() -> None:
    app = VeloxAPI()

    @app.get("/q")
    def q(params: Annotated[AliasedQuery, Query()]) -> dict[str, Any]:
        return {"item_id": params.item_id, "sort": params.sort}

    @app.get("/h")
    def h(headers: Annotated[AliasedHeaders, Header()]) -> str:
        return headers.trace

    client = TestClient(app)
    assert client.get("/q?item-id=3").json() == {"item_id": 3, "sort": "asc"}
    response = client.get("/q?item_id=3")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "item-id"]
    assert client.get("/h", headers={"X-Trace-Id": "t1"}).json() == "t1"


def test_form_model_with_list_fields() -> None:
    app = VeloxAPI()

    @app.post("/f")
    def f(data: Annotated[TagForm, Form()]) -> TagForm:
        return data

    response = TestClient(app).post("/f", data={"title": "t", "tags": ["a", "b"]})
    assert response.json() == {"title": "t", "tags": ["a", "b"]}


def test_form_model_forbids_extra_fields() -> None:
    app = VeloxAPI()

    @app.post("/f")
    def f(data: Annotated[TagForm, Form()]) -> TagForm:
        return data

    response = TestClient(app).post("/f", data={"title": "t", "extra": "no"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["body", "extra"],
                "msg": "Extra inputs are not permitted",
                "input": "no",
            }
        ]
    }
