"""Streaming: StreamingResponse, JSON Lines from generator endpoints, Server-Sent Events."""

import asyncio
import gc
import json
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Annotated

import httpx
import pytest
from pydantic import BaseModel

from veloxapi import Depends, Response, VeloxAPI
from veloxapi.exceptions import ResponseValidationError
from veloxapi.responses import StreamingResponse
from veloxapi.sse import EventSourceResponse, ServerSentEvent
from veloxapi.testclient import TestClient


class Item(BaseModel):
    name: str
    price: float


class PublicItem(BaseModel):
    name: str


ITEMS = [Item(name="a", price=1.0), Item(name="b", price=2.5)]


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = VeloxAPI()

    @app.get("/raw")
    async def raw() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for i in range(3):
                yield f"chunk{i};".encode()

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/jsonl-async")
    async def jsonl_async() -> AsyncIterable[Item]:
        for item in ITEMS:
            yield item

    @app.get("/jsonl-sync")
    def jsonl_sync() -> Iterable[Item]:
        yield from ITEMS

    @app.get("/jsonl-untyped")
    async def jsonl_untyped():  # type: ignore[no-untyped-def]
        yield {"n": 1}
        yield [1, 2]
        yield "text"

    @app.get("/jsonl-filtered")
    async def jsonl_filtered() -> AsyncIterable[PublicItem]:
        for item in ITEMS:
            yield item  # type: ignore[misc]

    @app.get("/jsonl-invalid")
    async def jsonl_invalid() -> AsyncIterable[Item]:
        yield {"name": "ok", "price": 1}  # type: ignore[misc]
        yield {"name": "bad", "price": "nope"}  # type: ignore[misc]

    @app.get("/jsonl-status", status_code=202)
    async def jsonl_status() -> AsyncIterable[int]:
        yield 1

    def stream_header(response: Response) -> None:
        response.headers["X-Stream"] = "yes"

    @app.get("/jsonl-headers", dependencies=[Depends(stream_header)])
    async def jsonl_headers() -> AsyncIterable[int]:
        yield 1

    @app.get("/sse", response_class=EventSourceResponse)
    async def sse() -> AsyncIterable[Item]:
        for item in ITEMS:
            yield item

    @app.get("/sse-sync", response_class=EventSourceResponse)
    def sse_sync() -> Iterable[Item]:
        yield from ITEMS

    @app.get("/sse-events", response_class=EventSourceResponse)
    async def sse_events() -> AsyncIterable[ServerSentEvent]:
        yield ServerSentEvent(comment="hello")
        for i, item in enumerate(ITEMS):
            yield ServerSentEvent(data=item, event="update", id=str(i + 1), retry=5000)
        yield ServerSentEvent(raw_data="line1\nline2")

    return TestClient(app)


def test_streaming_response_sends_all_chunks(client: TestClient) -> None:
    response = client.get("/raw")
    assert response.text == "chunk0;chunk1;chunk2;"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("path", ["/jsonl-async", "/jsonl-sync"])
def test_generator_endpoint_streams_json_lines(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jsonl"
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert lines == [{"name": "a", "price": 1.0}, {"name": "b", "price": 2.5}]


def test_untyped_generator_lines(client: TestClient) -> None:
    response = client.get("/jsonl-untyped")
    assert [json.loads(line) for line in response.text.splitlines()] == [
        {"n": 1},
        [1, 2],
        "text",
    ]


def test_stream_items_are_filtered_by_the_item_type(client: TestClient) -> None:
    lines = client.get("/jsonl-filtered").text.splitlines()
    assert [json.loads(line) for line in lines] == [{"name": "a"}, {"name": "b"}]


def test_invalid_stream_item_raises_response_validation_error(client: TestClient) -> None:
    with pytest.raises(ResponseValidationError):
        client.get("/jsonl-invalid")


def test_stream_status_code_and_injected_headers(client: TestClient) -> None:
    assert client.get("/jsonl-status").status_code == 202
    response = client.get("/jsonl-headers")
    assert response.headers["x-stream"] == "yes"
    assert response.text == "1\n"


@pytest.mark.parametrize("path", ["/sse", "/sse-sync"])
def test_sse_endpoint_sends_one_event_per_item(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    data = [
        line[len("data: ") :] for line in response.text.splitlines() if line.startswith("data: ")
    ]
    assert [json.loads(d) for d in data] == [
        {"name": "a", "price": 1.0},
        {"name": "b", "price": 2.5},
    ]
    assert response.text.endswith("\n\n")


def test_sse_event_fields(client: TestClient) -> None:
    text = client.get("/sse-events").text
    blocks = [b for b in text.split("\n\n") if b]
    assert blocks[0] == ": hello"
    assert blocks[1].splitlines() == [
        "event: update",
        'data: {"name":"a","price":1.0}',
        "id: 1",
        "retry: 5000",
    ] or set(blocks[1].splitlines()) == {
        "event: update",
        'data: {"name":"a","price":1.0}',
        "id: 1",
        "retry: 5000",
    }
    assert "data: line1" in blocks[3].splitlines()
    assert "data: line2" in blocks[3].splitlines()


def test_yield_dependency_stays_open_while_streaming() -> None:
    state = {"open": False}
    events: list[str] = []

    def resource() -> Iterator[dict[str, bool]]:
        state["open"] = True
        yield state
        state["open"] = False
        events.append("closed")

    app = VeloxAPI()

    @app.get("/")
    async def endpoint(
        res: Annotated[dict[str, bool], Depends(resource)],
    ) -> AsyncIterable[bool]:
        for _ in range(2):
            yield res["open"]

    text = TestClient(app).get("/").text
    assert text.splitlines() == ["true", "true"]
    assert events == ["closed"]


def test_sse_generator_is_closed_when_the_client_goes_away(
    live_server: Callable[..., str],
) -> None:
    closed = threading.Event()
    dependency_closed = threading.Event()

    def resource() -> Iterator[None]:
        try:
            yield
        finally:
            dependency_closed.set()

    app = VeloxAPI()

    @app.get("/events", response_class=EventSourceResponse)
    async def events(_: Annotated[None, Depends(resource)]) -> AsyncIterable[ServerSentEvent]:
        try:
            n = 0
            while True:
                n += 1
                yield ServerSentEvent(data=n, id=str(n))
                await asyncio.sleep(0.01)
        finally:
            closed.set()

    base = live_server(app, timeout_graceful_shutdown=2)
    received: list[str] = []
    gc.disable()  # closing must not depend on a garbage collection run
    try:
        with httpx.stream("GET", f"{base}/events", timeout=5) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            for line in response.iter_lines():
                if line.startswith("data: "):
                    received.append(line)
                if len(received) == 3:
                    break
        assert received == ["data: 1", "data: 2", "data: 3"]
        assert closed.wait(5), "the endpoint's generator was not closed after the disconnect"
        assert dependency_closed.wait(5), "the yield dependency was not cleaned up"
    finally:
        gc.enable()


def test_endless_streaming_response_stops_when_the_client_goes_away(
    live_server: Callable[..., str],
) -> None:
    stopped = threading.Event()
    app = VeloxAPI()

    @app.get("/forever")
    async def forever() -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            try:
                while True:
                    yield b"x" * 1024
                    await asyncio.sleep(0.005)
            finally:
                stopped.set()

        return StreamingResponse(body())

    base = live_server(app, timeout_graceful_shutdown=2)
    gc.disable()  # stopping must not depend on a garbage collection run
    try:
        with httpx.stream("GET", f"{base}/forever", timeout=5) as response:
            for total, _ in enumerate(response.iter_bytes()):
                if total >= 3:
                    break
        assert stopped.wait(5), "the body generator kept running after the client left"
    finally:
        gc.enable()


def test_sync_generator_endpoint_is_closed_when_the_client_goes_away(
    live_server: Callable[..., str],
) -> None:
    closed = threading.Event()
    app = VeloxAPI()

    @app.get("/lines")
    def lines() -> Iterable[int]:
        try:
            n = 0
            while True:
                n += 1
                threading.Event().wait(0.005)
                yield n
        finally:
            closed.set()

    base = live_server(app, timeout_graceful_shutdown=2)
    gc.disable()  # the generator must be closed by the framework, not by a lucky GC run
    try:
        with httpx.stream("GET", f"{base}/lines", timeout=5) as response:
            assert response.headers["content-type"] == "application/jsonl"
            for count, line in enumerate(response.iter_lines(), start=1):
                assert line == str(count)
                if count == 3:
                    break
        assert closed.wait(5), "the sync generator was never closed after the disconnect"
    finally:
        gc.enable()


def test_error_in_the_middle_of_a_stream_does_not_take_the_server_down(
    live_server: Callable[..., str],
) -> None:
    app = VeloxAPI()

    @app.get("/broken")
    async def broken() -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            yield b"first;"
            raise RuntimeError("stream failed")

        return StreamingResponse(body())

    @app.get("/ok")
    async def ok() -> str:
        return "ok"

    base = live_server(app)
    received = b""
    with (
        pytest.raises(httpx.HTTPError),  # the connection is cut: no silent truncation
        httpx.stream("GET", f"{base}/broken", timeout=5) as response,
    ):
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            received += chunk
    assert received == b"first;"
    assert httpx.get(f"{base}/ok", timeout=5).json() == "ok"
