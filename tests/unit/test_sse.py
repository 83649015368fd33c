"""Server-Sent Events: the event model, the wire format and the response class."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager

import anyio
import httpx
import pytest
from pydantic import BaseModel, ConfigDict
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import ASGIApp

from veloxapi.responses import EventSourceResponse as ReexportedEventSourceResponse
from veloxapi.sse import KEEPALIVE_COMMENT, EventSourceResponse, ServerSentEvent, format_sse_event

Serve = Callable[[ASGIApp], AbstractContextManager[str]]


class Item(BaseModel):
    name: str


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Hello", b"data: Hello\n\n"),
        ("", b"data: \n\n"),
        ("Hello\n", b"data: Hello\ndata: \n\n"),
        ("\n", b"data: \ndata: \n\n"),
        ("Hello\r\nWorld", b"data: Hello\ndata: World\n\n"),
        ("Hello\rWorld", b"data: Hello\ndata: World\n\n"),
        ("A\u2028B\vC", "data: A\u2028B\vC\n\n".encode()),
    ],
)
def test_data_is_split_on_line_breaks_only(data: str, expected: bytes) -> None:
    assert format_sse_event(data_str=data) == expected


def test_every_field_is_written() -> None:
    event = format_sse_event(data_str="d", event="e", id="7", retry=10, comment="c\nd")
    assert event == b": c\n: d\nevent: e\ndata: d\nid: 7\nretry: 10\n\n"


def test_event_data_is_json_and_raw_data_is_not() -> None:
    assert ServerSentEvent(data="hi").encode() == b'data: "hi"\n\n'
    assert ServerSentEvent(data={"k": "v"}).encode() == b'data: {"k": "v"}\n\n'
    assert ServerSentEvent(data=Item(name="x")).encode() == b'data: {"name":"x"}\n\n'
    assert ServerSentEvent(raw_data="a,b\nc").encode() == b"data: a,b\ndata: c\n\n"


def test_explicit_none_data_is_sent_and_missing_data_is_not() -> None:
    assert ServerSentEvent(data=None).encode() == b"data: null\n\n"
    assert ServerSentEvent(data=math.nan).encode() == b"data: null\n\n"
    assert ServerSentEvent(comment="only a comment").encode() == b": only a comment\n\n"


def test_model_data_keeps_its_serialization_settings() -> None:
    class Reading(BaseModel):
        model_config = ConfigDict(ser_json_inf_nan="strings")
        value: float

    assert ServerSentEvent(data=Reading(value=math.nan)).encode() == b'data: {"value":"NaN"}\n\n'


@pytest.mark.parametrize("field", ["event", "id"])
@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\r\nb"])
def test_single_line_fields_reject_line_breaks(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"SSE '{field}' must be a single line"):
        ServerSentEvent(data="x", **{field: value})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": "a\0b"}, "null"),
        ({"retry": -1}, "greater than or equal to 0"),
        ({"retry": 1.5}, "valid integer"),
        ({"data": "x", "raw_data": "y"}, "Cannot set both"),
    ],
)
def test_invalid_events_are_rejected(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ServerSentEvent(**fields)


def test_keepalive_is_a_comment() -> None:
    assert format_sse_event(comment="ping") == KEEPALIVE_COMMENT


async def _events() -> AsyncIterator[bytes]:
    yield ServerSentEvent(data={"n": 1}, id="1").encode()
    yield ServerSentEvent(raw_data="done", event="end").encode()


async def _stream(request: Request) -> EventSourceResponse:
    return EventSourceResponse(_events())


async def _stream_with_headers(request: Request) -> EventSourceResponse:
    return EventSourceResponse(_events(), status_code=201, headers={"cache-control": "no-store"})


def _client() -> TestClient:
    routes = [Route("/events", _stream), Route("/custom", _stream_with_headers)]
    return TestClient(Starlette(routes=routes))


def test_response_streams_events_with_no_caching_headers() -> None:
    response = _client().get("/events")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert response.text == 'data: {"n": 1}\nid: 1\n\nevent: end\ndata: done\n\n'


def test_response_headers_given_by_the_caller_win() -> None:
    response = _client().get("/custom")
    assert response.status_code == 201
    assert response.headers.get_list("cache-control") == ["no-store"]
    assert response.headers["x-accel-buffering"] == "no"


def test_responses_module_reexports_the_sse_response() -> None:
    assert ReexportedEventSourceResponse is EventSourceResponse


def test_events_reach_the_client_one_by_one_over_real_http(serve: Serve) -> None:
    """The second event waits for the client to confirm it received the first."""
    first_received = anyio.Event()

    async def events() -> AsyncIterator[bytes]:
        yield ServerSentEvent(data="first", id="1").encode()
        await first_received.wait()
        yield ServerSentEvent(data="second", id="2").encode()

    async def stream(request: Request) -> EventSourceResponse:
        return EventSourceResponse(events())

    async def confirm(request: Request) -> PlainTextResponse:
        first_received.set()
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/events", stream), Route("/confirm", confirm, methods=["POST"])])
    with (
        serve(app) as host,
        httpx.Client(base_url=f"http://{host}", timeout=10) as client,
        client.stream("GET", "/events") as response,
    ):
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert response.headers["cache-control"] == "no-cache"
        lines = response.iter_lines()
        assert [next(lines), next(lines), next(lines)] == ['data: "first"', "id: 1", ""]
        assert client.post("/confirm").text == "ok"
        assert list(lines) == ['data: "second"', "id: 2", ""]
