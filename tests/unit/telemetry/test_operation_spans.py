"""Child spans of a request: dependencies, endpoint, serialization, background tasks."""

from __future__ import annotations

import threading
from typing import Annotated

import pytest
from opentelemetry.trace import SpanKind, StatusCode
from pydantic import BaseModel

from veloxapi import BackgroundTasks, Depends, FastAPI, HTTPException
from veloxapi.testclient import TestClient

from .conftest import Otel


class Item(BaseModel):
    name: str


def _token() -> str:
    return "secret-token"


@pytest.mark.parametrize("sync", [False, True])
def test_each_operation_is_a_child_of_the_request_span(otel: Otel, sync: bool) -> None:
    app = FastAPI(telemetry=otel.config)
    threads: dict[str, int] = {}

    def sync_endpoint(token: Annotated[str, Depends(_token)]) -> Item:
        threads["endpoint"] = threading.get_ident()
        return Item(name="x")

    async def async_endpoint(token: Annotated[str, Depends(_token)]) -> Item:
        return Item(name="x")

    app.get("/item")(sync_endpoint if sync else async_endpoint)
    assert TestClient(app).get("/item").json() == {"name": "x"}
    server = otel.server_span()
    children = [s for s in otel.finished() if s is not server]
    assert sorted(s.name for s in children) == [
        "fastapi.dependencies",
        "fastapi.endpoint",
        "fastapi.serialization",
    ]
    for child in children:
        assert child.kind is SpanKind.INTERNAL
        assert child.parent is not None and child.parent.span_id == server.context.span_id
        assert child.attributes is not None
        assert str(child.attributes["code.function.name"]).endswith("_endpoint")
    assert "secret-token" not in repr([s.attributes for s in otel.finished()])


def test_a_returned_response_is_not_serialized(otel: Otel) -> None:
    from veloxapi.responses import PlainTextResponse

    app = FastAPI(telemetry=otel.config)

    @app.get("/")
    async def root() -> PlainTextResponse:
        return PlainTextResponse("hi")

    TestClient(app).get("/")
    assert otel.named("fastapi.serialization") == []
    assert len(otel.named("fastapi.endpoint")) == 1


@pytest.mark.parametrize("where", ["dependency", "endpoint", "serialization"])
def test_the_failing_operation_is_marked(otel: Otel, where: str) -> None:
    app = FastAPI(telemetry=otel.config)

    def dependency() -> None:
        if where == "dependency":
            raise ValueError("boom")

    @app.get("/", dependencies=[Depends(dependency)], response_model=int)
    async def root() -> object:
        if where == "endpoint":
            raise ValueError("boom")
        return "not a number"

    assert TestClient(app, raise_server_exceptions=False).get("/").status_code == 500
    name = "fastapi.dependencies" if where == "dependency" else f"fastapi.{where}"
    (failed,) = otel.named(name)
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.attributes is not None and "error.type" in failed.attributes


def test_an_http_exception_is_an_answer_not_a_failure(otel: Otel) -> None:
    app = FastAPI(telemetry=otel.config)

    @app.get("/")
    async def root() -> None:
        raise HTTPException(403)

    assert TestClient(app).get("/").status_code == 403
    assert all(s.status.status_code is StatusCode.UNSET for s in otel.finished())


def test_background_tasks_each_get_a_span_and_failures_are_marked(otel: Otel) -> None:
    app = FastAPI(telemetry=otel.config)
    ran: list[str] = []

    def first() -> None:
        ran.append("first")

    def second() -> None:
        raise RuntimeError("queue unavailable")

    @app.post("/jobs")
    async def submit(tasks: BackgroundTasks) -> str:
        tasks.add_task(first)
        tasks.add_task(second)
        return "queued"

    client = TestClient(app, raise_server_exceptions=False)
    assert client.post("/jobs").json() == "queued"
    assert ran == ["first"]
    tasks = otel.named("fastapi.background_task")
    assert [s.status.status_code for s in tasks] == [StatusCode.UNSET, StatusCode.ERROR]
    assert tasks[1].attributes is not None
    assert tasks[1].attributes["error.type"] == "RuntimeError"
    server = otel.server_span()
    assert all(t.parent is not None and t.parent.span_id == server.context.span_id for t in tasks)


def test_operation_spans_false_keeps_only_the_request_span(otel: Otel) -> None:
    config = {**otel.config, "operation_spans": False}
    app = FastAPI(telemetry=config)

    @app.get("/")
    async def root() -> str:
        return "ok"

    TestClient(app).get("/")
    assert [s.kind for s in otel.finished()] == [SpanKind.SERVER]


def test_framework_exceptions_are_named_as_fastapi_names_them(otel: Otel) -> None:
    app = FastAPI(telemetry=otel.config)

    def unavailable() -> None:
        raise HTTPException(503)

    @app.post("/jobs")
    async def submit(tasks: BackgroundTasks) -> str:
        tasks.add_task(unavailable)
        return "queued"

    assert TestClient(app, raise_server_exceptions=False).post("/jobs").json() == "queued"
    (task,) = otel.named("fastapi.background_task")
    assert task.attributes is not None
    assert task.attributes["error.type"] == "fastapi.exceptions.HTTPException"
