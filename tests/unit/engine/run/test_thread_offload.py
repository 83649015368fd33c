"""`def` endpoints and dependencies run in worker threads with what anyio's offload gives.

Each call sees a copy of the request's context, anyio's default thread limiter bounds
them, ``anyio.from_thread`` reaches the loop, exceptions come back to the request,
a cancelled request waits for its thread, and under trio anyio does the work.
"""

import contextvars
import threading
import time
from typing import Annotated, Any

import anyio
import anyio.from_thread
import anyio.to_thread
import httpx
import pytest

from veloxapi import Depends, HTTPException, VeloxAPI

pytestmark = pytest.mark.anyio

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def client(app: VeloxAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_each_def_step_runs_in_a_copy_of_the_request_context() -> None:
    app = VeloxAPI()

    @app.middleware("http")
    async def tag(request: Any, call_next: Any) -> Any:
        request_id.set(request.headers["x-id"])
        return await call_next(request)

    def first() -> str:
        seen = request_id.get()
        request_id.set("changed in a thread")  # lands in this step's copy only
        return seen

    @app.get("/")
    def endpoint(dep: Annotated[str, Depends(first)]) -> dict[str, Any]:
        return {"dep": dep, "endpoint": request_id.get(), "thread": threading.current_thread().name}

    async with client(app) as http:
        answers = [(await http.get("/", headers={"x-id": f"r{n}"})).json() for n in range(3)]
    assert [(a["dep"], a["endpoint"]) for a in answers] == [(f"r{n}", f"r{n}") for n in range(3)]
    assert all(a["thread"] != threading.main_thread().name for a in answers)


async def test_default_thread_limiter_bounds_concurrent_def_calls() -> None:
    app = VeloxAPI()
    lock = threading.Lock()
    state = {"active": 0, "peak": 0}

    @app.get("/")
    def endpoint() -> int:
        with lock:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
        time.sleep(0.05)
        with lock:
            state["active"] -= 1
        return 1

    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = 2
    try:
        async with client(app) as http, anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(http.get, "/")
    finally:
        limiter.total_tokens = 40
    assert state["peak"] == 2
    assert limiter.borrowed_tokens == 0


async def test_from_thread_reaches_the_loop_inside_a_def_endpoint() -> None:
    app = VeloxAPI()

    async def on_loop(value: int) -> int:
        await anyio.sleep(0)
        return value * 2

    def loop_thread() -> str:
        return threading.current_thread().name

    @app.get("/")
    def endpoint() -> dict[str, Any]:
        return {
            "run": anyio.from_thread.run(on_loop, 21),
            "run_sync_thread": anyio.from_thread.run_sync(loop_thread),
        }

    async with client(app) as http:
        response = await http.get("/")
    assert response.json() == {"run": 42, "run_sync_thread": threading.current_thread().name}


async def test_exceptions_from_def_steps_reach_the_handlers() -> None:
    app = VeloxAPI()

    def refuse() -> None:
        raise HTTPException(status_code=403, detail="no")

    def stops() -> None:
        raise StopIteration

    @app.get("/dep")
    def guarded(_: Annotated[None, Depends(refuse)]) -> int:
        return 1

    @app.get("/stop")
    def stopping() -> None:
        stops()

    async with client(app) as http:
        assert (await http.get("/dep")).json() == {"detail": "no"}
        with pytest.raises(RuntimeError, match="StopIteration"):
            await http.get("/stop")


async def test_a_cancelled_request_waits_for_its_thread() -> None:
    app = VeloxAPI()
    started = threading.Event()
    release = threading.Event()
    finished: list[str] = []

    @app.get("/")
    def endpoint() -> int:
        started.set()
        release.wait(5)
        finished.append("thread")
        return 1

    async with client(app) as http:
        async with anyio.create_task_group() as tg:
            tg.start_soon(http.get, "/")
            await anyio.to_thread.run_sync(started.wait, 5)
            threading.Timer(0.1, release.set).start()
            tg.cancel_scope.cancel()
        finished.append("request")
    assert finished == ["thread", "request"]


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_def_steps_run_in_threads_under_trio(anyio_backend: str) -> None:
    app = VeloxAPI()

    def dep() -> str:
        return threading.current_thread().name

    @app.get("/")
    def endpoint(name: Annotated[str, Depends(dep)]) -> dict[str, Any]:
        return {"dep": name, "back": anyio.from_thread.run_sync(lambda: "loop")}

    async with client(app) as http:
        response = await http.get("/")
    assert response.status_code == 200
    assert response.json()["back"] == "loop"
    assert response.json()["dep"] != threading.current_thread().name
