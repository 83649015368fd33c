"""``max_body_size`` and ``form_limits`` on the app, routers, inclusions and routes."""

from __future__ import annotations

from typing import Annotated

import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from veloxapi import APIRouter, FastAPI, Form
from veloxapi.testclient import TestClient


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(await request.body())


async def text_field(text: Annotated[str, Form()]) -> str:
    return text


def _status(app: FastAPI, path: str, body: bytes) -> int:
    return TestClient(app).post(path, content=body).status_code


@pytest.mark.parametrize(
    ("route", "router", "include", "app_limit", "expected"),
    [
        (None, None, None, 4, 413),  # the app's limit
        (None, None, 8, 4, 200),  # the inclusion's over the app's
        (None, 8, 4, 4, 200),  # the router's own over the inclusion's
        (8, 4, 4, 4, 200),  # the route's own over everything
        (4, 8, 8, 8, 413),
        (0, None, None, None, 413),  # zero is a limit, not "no limit"
    ],
)
def test_most_specific_body_limit_wins(
    route: int | None, router: int | None, include: int | None, app_limit: int | None, expected: int
) -> None:
    child = APIRouter(max_body_size=router)
    child.post("/", max_body_size=route)(echo)
    app = FastAPI(max_body_size=app_limit)
    app.include_router(child, prefix="/c", max_body_size=include)
    assert _status(app, "/c/", b"123456") == expected


def test_body_limit_answers_413_and_the_server_keeps_serving() -> None:
    app = FastAPI(max_body_size=5)
    app.post("/")(echo)
    client = TestClient(app)
    refused = client.post("/", content=b"123456")
    assert refused.status_code == 413
    assert client.post("/", content=b"12345").text == "12345"


def test_a_mounted_router_applies_its_own_limit() -> None:
    router = APIRouter(max_body_size=3)
    router.post("/")(echo)
    app = FastAPI()
    app.mount("/r", router)
    assert _status(app, "/r/", b"1234") == 413
    assert _status(app, "/r/", b"123") == 200


def test_form_limits_merge_key_by_key() -> None:
    router = APIRouter(form_limits={"max_fields": 1})
    router.post("/", form_limits={"max_part_size": 3})(text_field)
    app = FastAPI(form_limits={"max_files": 0})
    app.include_router(router)
    client = TestClient(app)
    assert client.post("/", files={"text": (None, "abc")}).json() == "abc"
    assert client.post("/", files={"text": (None, "abcd")}).status_code == 400  # route's part size
    two_fields = {"text": (None, "a"), "other": (None, "b")}
    assert client.post("/", files=two_fields).status_code == 400  # the router's max_fields
    files = {"text": (None, "abc"), "f": ("f.txt", b"x")}
    assert client.post("/", files=files).status_code == 400  # the app's max_files


@pytest.mark.parametrize("value", [-1, True, 1.5, "5"])
def test_invalid_body_limit_is_refused_at_registration(value: object) -> None:
    with pytest.raises(ValueError, match="max_body_size must be a non-negative integer"):
        APIRouter(max_body_size=value)  # type: ignore[arg-type]


def test_invalid_form_limits_name_every_problem() -> None:
    with pytest.raises(ValueError) as caught:
        FastAPI(form_limits={"max_parts": 1, "max_fields": -1})  # type: ignore[typeddict-unknown-key]
    message = str(caught.value)
    assert "unknown limit 'max_parts'" in message
    assert "max_fields must be a non-negative integer, got -1" in message


def test_limits_given_by_the_caller_are_copied() -> None:
    limits = {"max_fields": 1}
    app = FastAPI(form_limits=limits)  # type: ignore[arg-type]
    limits["max_fields"] = 0
    app.post("/")(text_field)
    assert TestClient(app).post("/", data={"text": "ok"}).json() == "ok"
