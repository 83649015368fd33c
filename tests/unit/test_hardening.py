"""The hardened default profile of ``VeloxAPI`` against FastAPI's plain defaults.

Body size, JSON depth and body pace, the quiet end of a client that leaves while
the endpoint streams its body, and a 405 that names every method of the path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
import pytest
from starlette.types import Message

from veloxapi import Body, Depends, FastAPI, Request, VeloxAPI
from veloxapi.testclient import TestClient

MIB = 1024 * 1024


def json_app(app: VeloxAPI) -> TestClient:
    @app.post("/echo")
    async def echo(payload: Annotated[Any, Body()]) -> Any:
        return payload

    @app.post("/upload", max_body_size=4 * MIB)
    async def upload(payload: Annotated[Any, Body()]) -> int:
        return len(payload)

    return TestClient(app)


def big_json(size: int) -> bytes:
    return b'"' + b"x" * (size - 2) + b'"'


def post(client: TestClient, path: str, body: bytes) -> Any:
    return client.post(path, content=body, headers={"content-type": "application/json"})


def test_veloxapi_refuses_a_body_over_one_mib_by_default() -> None:
    client = json_app(VeloxAPI())
    assert post(client, "/echo", big_json(MIB)).status_code == 200
    response = post(client, "/echo", big_json(MIB + 1))
    assert response.status_code == 413
    assert response.json() == {"detail": "Content Too Large"}


def test_a_body_without_content_length_is_counted_as_it_arrives() -> None:
    client = json_app(VeloxAPI())

    def chunks() -> Any:
        for _ in range(3):
            yield b"x" * (MIB // 2)

    response = client.post("/echo", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_a_route_opts_into_larger_bodies_with_max_body_size() -> None:
    client = json_app(VeloxAPI())
    assert post(client, "/upload", big_json(3 * MIB)).json() == 3 * MIB - 2


@pytest.mark.parametrize(
    "app",
    [FastAPI(), VeloxAPI(hardened=False), VeloxAPI(max_body_size=None)],
    ids=["FastAPI", "hardened=False", "max_body_size=None"],
)
def test_no_default_limit_in_plain_mode_or_when_turned_off(app: VeloxAPI) -> None:
    assert post(json_app(app), "/echo", big_json(2 * MIB)).status_code == 200


def test_json_deeper_than_the_limit_is_refused_at_input() -> None:
    client = json_app(VeloxAPI())
    assert post(client, "/echo", b"[" * 128 + b"]" * 128).status_code == 200
    response = post(client, "/echo", b"[" * 129 + b"]" * 129)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "json_too_deep",
            "loc": ["body"],
            "msg": "JSON nesting is deeper than 128 levels",
            "input": {},
            "ctx": {"max_depth": 128},
        }
    ]
    # brackets inside strings are not nesting
    assert post(client, "/echo", b'"' + b"[" * 500 + b'"').status_code == 200


def test_json_depth_is_configurable_and_off_in_plain_mode() -> None:
    strict = json_app(VeloxAPI(max_json_depth=3))
    assert post(strict, "/echo", b'{"a": [[1]]}').status_code == 200
    assert post(strict, "/echo", b'{"a": [[[1]]]}').status_code == 422
    assert post(json_app(FastAPI()), "/echo", b"[" * 200 + b"]" * 200).status_code == 200


def test_invalid_settings_are_all_reported_at_start_up() -> None:
    with pytest.raises(ValueError) as raised:
        VeloxAPI(max_json_depth=0, request_body_min_rate=-1, request_body_timeout=0)
    message = str(raised.value)
    for name in ("max_json_depth", "request_body_min_rate", "request_body_timeout"):
        assert name in message


async def call(app: VeloxAPI, messages: list[tuple[float, Message]], path: str) -> list[Message]:
    """Drive ``app`` with body messages, each sent after its delay; return what it sent."""
    pending = iter(messages)
    sent: list[Message] = []

    async def receive() -> Message:
        delay, message = next(pending, (3600.0, {"type": "http.disconnect"}))
        await anyio.sleep(delay)
        return message

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)
    return sent


CLOSED: list[str] = []


async def resource() -> AsyncIterator[str]:
    try:
        yield "resource"
    finally:
        CLOSED.append("closed")


def status_of(sent: list[Message]) -> int:
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


@pytest.mark.anyio
async def test_a_trickled_body_gets_408_once_its_pace_is_too_slow() -> None:
    app = VeloxAPI(request_body_timeout=0.3, request_body_min_rate=100)
    json_app(app)
    trickle = [(0.05, {"type": "http.request", "body": b" ", "more_body": True})] * 40
    with anyio.fail_after(5):
        sent = await call(app, trickle, "/echo")
    assert status_of(sent) == 408


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.anyio
async def test_silence_mid_body_gets_408() -> None:
    app = VeloxAPI(request_body_timeout=0.2)
    json_app(app)
    with anyio.fail_after(5):
        sent = await call(
            app, [(0.0, {"type": "http.request", "body": b"[", "more_body": True})], "/echo"
        )
    assert status_of(sent) == 408


@pytest.mark.anyio
async def test_client_leaving_during_request_stream_ends_quietly_with_cleanup() -> None:
    app = VeloxAPI()
    CLOSED.clear()

    @app.post("/stream")
    async def stream(request: Request, held: Annotated[str, Depends(resource)]) -> int:
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
        return total

    body = [
        (0.0, {"type": "http.request", "body": b"abc", "more_body": True}),
        (0.0, {"type": "http.disconnect"}),
    ]
    sent = await call(app, body, "/stream")  # nothing escapes the app
    assert sent == []
    assert CLOSED == ["closed"]


def test_405_names_every_method_the_path_supports() -> None:
    app = VeloxAPI()

    @app.get("/books")
    async def list_books() -> list[str]:
        return []

    @app.post("/books")
    async def add_book() -> str:
        return "added"

    response = TestClient(app).put("/books")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json() == {"detail": "Method Not Allowed"}


@pytest.mark.anyio
async def test_waiting_after_the_body_is_not_a_body_timeout() -> None:
    app = VeloxAPI(request_body_timeout=0.1)
    seen: list[str] = []

    @app.post("/wait")
    async def wait(request: Request) -> int:
        body = await request.body()
        message = await request.receive()  # the client leaves after a while
        seen.append(message["type"])
        return len(body)

    body = [
        (0.0, {"type": "http.request", "body": b"abc", "more_body": False}),
        (0.3, {"type": "http.disconnect"}),
    ]
    with anyio.fail_after(5):
        sent = await call(app, body, "/wait")
    assert seen == ["http.disconnect"]
    assert status_of(sent) == 200
