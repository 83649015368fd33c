"""A replaced ``Request.body`` (as tests patch it) is what body parameters read through."""

from typing import Annotated

import pytest
from starlette.exceptions import HTTPException
from starlette.requests import Request

from veloxapi import Body, FastAPI
from veloxapi.testclient import TestClient


def _app() -> FastAPI:
    app = FastAPI()

    @app.post("/")
    def read(data: Annotated[bytes, Body(media_type="application/octet-stream")]) -> int:
        return len(data)

    return app


def test_a_replaced_request_body_is_read_through(monkeypatch: pytest.MonkeyPatch) -> None:
    async def shorter(self: Request) -> bytes:
        return b"abc"

    monkeypatch.setattr(Request, "body", shorter)
    headers = {"content-type": "application/octet-stream"}
    assert TestClient(_app()).post("/", content=b"hello", headers=headers).json() == 3


def test_what_a_replaced_request_body_raises_is_a_parse_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def failed(self: Request) -> bytes:
        raise ExceptionGroup("read failed", [HTTPException(413)])

    monkeypatch.setattr(Request, "body", failed)
    headers = {"content-type": "application/octet-stream"}
    response = TestClient(_app()).post("/", content=b"hello", headers=headers)
    assert response.status_code == 400
    assert response.json() == {"detail": "There was an error parsing the body"}
