"""The application the reliability suite attacks, in each configuration it is checked in.

Two groups of routes:

* a demo API (``/books``, like ``examples/app.py``, with an API key and a
  bounded store): the only routes in ``/openapi.json``, so schemathesis and the
  soak exercise exactly the documented surface;
* hidden targets for the hostile-input matrix: JSON, form, upload and
  streamed-body endpoints, a JSON-lines stream, static files, a WebSocket echo.

:class:`Observer` wraps the whole application (outermost, so it sees what the
server sees) and answers ``GET /_observed`` itself: the statuses the app sent,
the exceptions that escaped it, requests in flight and response streams still
open. ``RELIABILITY_CONFIG`` picks the configuration when uvicorn imports
``reliability_app:app``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import Counter, OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator
from starlette.types import Message, Receive, Scope, Send

from veloxapi import (
    APIRouter,
    Body,
    Depends,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    Security,
    UploadFile,
    VeloxAPI,
    WebSocket,
    WebSocketDisconnect,
    status,
)
from veloxapi.batteries import augment_app
from veloxapi.batteries.cors import CorsSettings
from veloxapi.batteries.errors import ErrorSettings
from veloxapi.batteries.health import HealthSettings
from veloxapi.batteries.logging import LoggingSettings
from veloxapi.batteries.metrics import MetricsSettings
from veloxapi.batteries.request_id import RequestIdSettings
from veloxapi.batteries.security_headers import SecurityHeadersSettings
from veloxapi.security import APIKeyHeader
from veloxapi.staticfiles import StaticFiles

CONFIGS = ("plain", "batteries", "problem")
"""plain: no battery; batteries: ``VeloxAPI(batteries=...)``; problem: ``augment_app`` with
RFC 9457 error bodies."""
API_KEY = "demo-key"
BODY_TIMEOUT = 2.0
"""Seconds of client silence while sending a body before the 408 (short, for the tests)."""
SHELF_SIZE = 500


class BookIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=100)
    year: int | None = Field(default=None, ge=0, le=2100)

    @field_validator("year", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: object) -> object:
        """Pydantic's lax mode takes ``false`` as 0; the schema says integer, so refuse it
        (schemathesis's negative_data_rejection check catches the difference)."""
        if isinstance(value, bool):
            raise ValueError("must be an integer, not a boolean")
        return value


class Book(BookIn):
    id: int


class Problem(BaseModel):
    detail: str


class Shelf:
    """In-memory store keeping the newest ``SHELF_SIZE`` books, so a soak stays bounded."""

    def __init__(self) -> None:
        self._books: OrderedDict[int, Book] = OrderedDict()
        self._next_id = 1

    def add(self, book: BookIn) -> Book:
        stored = Book(id=self._next_id, **book.model_dump())
        self._next_id += 1
        self._books[stored.id] = stored
        while len(self._books) > SHELF_SIZE:
            self._books.popitem(last=False)
        return stored

    def get(self, book_id: int) -> Book | None:
        return self._books.get(book_id)

    def remove(self, book_id: int) -> bool:
        return self._books.pop(book_id, None) is not None

    def page(self, offset: int, limit: int, author: str | None) -> list[Book]:
        books = [b for b in self._books.values() if author is None or b.author == author]
        return books[offset : offset + limit]


api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


def require_api_key(key: Annotated[str | None, Security(api_key)]) -> None:
    if key != API_KEY:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid API key")


def demo_router(shelf: Shelf) -> APIRouter:
    router = APIRouter(prefix="/books", tags=["books"])
    missing: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}
    locked: dict[int | str, dict[str, Any]] = {401: {"model": Problem}}
    # A body that is not JSON at all (bad UTF-8) is a 400, as in FastAPI, which does not
    # document it by itself.
    unreadable: dict[int | str, dict[str, Any]] = {400: {"model": Problem}}

    @router.get("", response_model=list[Book])
    def list_books(
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        author: Annotated[str | None, Query(max_length=100)] = None,
    ) -> list[Book]:
        return shelf.page(offset, limit, author)

    @router.get("/{book_id}", response_model=Book, responses=missing)
    def read_book(book_id: int) -> Book:
        book = shelf.get(book_id)
        if book is None:
            raise HTTPException(404, f"Book {book_id} not found")
        return book

    @router.post(
        "",
        response_model=Book,
        status_code=201,
        dependencies=[Depends(require_api_key)],
        responses={**locked, **unreadable},
    )
    def create_book(book: BookIn) -> Book:
        return shelf.add(book)

    @router.delete(
        "/{book_id}",
        status_code=204,
        dependencies=[Depends(require_api_key)],
        responses={**missing, **locked},
    )
    def delete_book(book_id: int) -> None:
        if not shelf.remove(book_id):
            raise HTTPException(404, f"Book {book_id} not found")

    return router


class Item(BaseModel):
    name: str
    price: float


class Line(BaseModel):
    line: int
    pad: str


class StreamWatch:
    """Counts response generators that started and that were closed (finished or not)."""

    def __init__(self) -> None:
        self.started = 0
        self.closed = 0

    def lines(self, count: int) -> Iterator[Line]:
        self.started += 1
        try:
            for index in range(count):
                time.sleep(0.005)
                yield Line(line=index, pad="x" * 200)
        finally:
            self.closed += 1


def hostile_router(watch: StreamWatch) -> APIRouter:
    """The matrix's targets; ``include_in_schema=False`` keeps them out of the fuzzing."""
    router = APIRouter(include_in_schema=False)

    @router.post("/items")
    async def create_item(item: Item) -> Item:
        return item

    @router.post("/echo")
    async def echo(payload: Annotated[Any, Body()]) -> Any:
        return payload

    @router.post("/data")
    async def data(payload: Annotated[dict[str, Any], Body()]) -> dict[str, int]:
        return {"keys": len(payload)}

    @router.post("/bounded")
    async def bounded(count: Annotated[int, Body(embed=True, le=1000)]) -> dict[str, int]:
        return {"count": count}

    @router.get("/echo-query")
    async def echo_query(
        q: Annotated[str, Query(max_length=50)] = "", n: Annotated[int, Query(le=1000)] = 0
    ) -> dict[str, Any]:
        return {"q": q, "n": n}

    @router.get("/names/{name}")
    async def name(name: str) -> dict[str, str]:
        return {"name": name}

    @router.post("/form")
    async def form(name: Annotated[str, Form()]) -> dict[str, str]:
        return {"name": name}

    @router.post("/upload")
    async def upload(file: Annotated[UploadFile, File()]) -> dict[str, int]:
        return {"size": len(await file.read())}

    @router.post("/stream-upload")
    async def stream_upload(request: Request) -> dict[str, int]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return {"size": size}

    @router.get("/jsonlines")
    def jsonlines(count: Annotated[int, Query(ge=1, le=100_000)] = 10) -> Iterator[Line]:
        yield from watch.lines(count)

    @router.websocket("/ws")
    async def ws_echo(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(await websocket.receive_text())
        except WebSocketDisconnect:
            pass

    return router


def _static_dir() -> str:
    folder = Path(tempfile.mkdtemp(prefix="velox-reliability-static-"))
    (folder / "hello.txt").write_text("hello\n")
    return str(folder)


def _battery_choices(problem_json: bool) -> dict[str, Any]:
    return {
        "logging": LoggingSettings(level="WARNING", access_log=True),
        "request_id": RequestIdSettings(),
        "metrics": MetricsSettings(),
        "health": HealthSettings(),
        "security_headers": SecurityHeadersSettings(),
        "cors": CorsSettings(allow_origins=("https://app.example",)),
        "errors": ErrorSettings(problem_json=problem_json),
    }


def build_app(config: str) -> VeloxAPI:
    """The target app in one of :data:`CONFIGS`."""
    if config not in CONFIGS:
        raise ValueError(f"unknown configuration {config!r}; choose from {', '.join(CONFIGS)}")
    options: dict[str, Any] = {"title": "Bookshelf", "version": "1.0.0"}
    if config == "batteries":
        options["batteries"] = _battery_choices(problem_json=False)
    app = VeloxAPI(request_body_timeout=BODY_TIMEOUT, **options)
    if config == "problem":
        augment_app(app, **_battery_choices(problem_json=True))
    watch = StreamWatch()
    app.state.stream_watch = watch
    app.include_router(demo_router(Shelf()))
    app.include_router(hostile_router(watch))
    app.mount("/static", StaticFiles(directory=_static_dir()), name="static")
    return app


class Observer:
    """Pure ASGI wrapper recording what the app answered; serves ``GET /_observed``."""

    def __init__(self, app: VeloxAPI) -> None:
        self.app = app
        self.statuses: Counter[int] = Counter()
        self.errors: list[str] = []
        self.active = 0

    def snapshot(self) -> dict[str, Any]:
        watch: StreamWatch = self.app.state.stream_watch
        return {
            "active": self.active,
            "statuses": {str(code): count for code, count in sorted(self.statuses.items())},
            "errors": list(self.errors),
            "streams_open": watch.started - watch.closed,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/_observed":
            await _send_json(send, self.snapshot())
            return
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        async def observing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.statuses[message["status"]] += 1
            await send(message)

        self.active += 1
        try:
            await self.app(scope, receive, observing_send)
        except BaseException as exc:
            self.errors.append(f"{scope['type']} {scope['path'][:80]}: {type(exc).__name__}")
            raise
        finally:
            self.active -= 1


async def _send_json(send: Send, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def observed(config: str) -> Observer:
    return Observer(build_app(config))


app = observed(os.environ.get("RELIABILITY_CONFIG", "plain"))
