"""Endpoints without parameters or dependencies answer exactly as the others do."""

import threading
from typing import Any

import pytest
from pydantic import BaseModel
from starlette.responses import PlainTextResponse

from veloxapi import VeloxAPI
from veloxapi.exceptions import ResponseValidationError
from veloxapi.testclient import TestClient


class Out(BaseModel):
    name: str


def test_plain_endpoints_answer_like_any_other() -> None:
    app = VeloxAPI()

    @app.get("/dict")
    async def as_dict() -> dict[str, Any]:
        return {"a": 1}

    @app.get("/model", response_model=Out)
    async def filtered() -> Any:
        return {"name": "x", "secret": "dropped"}

    @app.get("/empty", status_code=204)
    async def empty() -> None:
        return None

    @app.get("/own")
    async def own() -> PlainTextResponse:
        return PlainTextResponse("mine", status_code=201)

    @app.get("/thread")
    def in_thread() -> str:
        return threading.current_thread().name

    client = TestClient(app)
    assert client.get("/dict").json() == {"a": 1}
    assert client.get("/model").json() == {"name": "x"}
    empty_response = client.get("/empty")
    assert (empty_response.status_code, empty_response.content) == (204, b"")
    assert "content-length" not in empty_response.headers
    own_response = client.get("/own")
    assert (own_response.status_code, own_response.text) == (201, "mine")
    assert client.get("/thread").json() != threading.current_thread().name


def test_invalid_response_of_a_plain_endpoint_names_the_endpoint() -> None:
    app = VeloxAPI()

    @app.get("/bad", response_model=Out)
    async def bad() -> Any:
        return {"nothing": True}

    with pytest.raises(ResponseValidationError) as raised:
        TestClient(app).get("/bad")
    assert raised.value.endpoint_ctx["function"] == "bad"
    assert raised.value.endpoint_ctx["path"] == "GET /bad"
