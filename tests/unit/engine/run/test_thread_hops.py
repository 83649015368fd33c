"""Consecutive `def` dependencies and a `def` endpoint share one thread hop.

What separate hops would give is kept: each step runs in its own copy of the request's
context, anyio's default thread limiter bounds them, `anyio.from_thread` reaches the
loop, an error stops the later steps, `yield` dependencies keep their order, caching and
overrides work, and a cancelled request starts no further step.
"""

import contextvars
import threading
import time
from collections.abc import Iterator
from typing import Annotated, Any

import anyio
import anyio.from_thread
import anyio.to_thread
import httpx
import pytest
from pydantic import AfterValidator

from veloxapi import Depends, HTTPException, Request, VeloxAPI
from veloxapi._engine.run import offload

pytestmark = pytest.mark.anyio

marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")


def client(app: VeloxAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the thread hops (jobs handed to the worker threads)."""
    counted: list[int] = []
    submit = offload._workers.submit

    def counting(job: Any) -> None:
        counted.append(1)
        submit(job)

    monkeypatch.setattr(offload._workers, "submit", counting)
    return counted


def chain_app(log: list[str]) -> VeloxAPI:
    """A token, the user it names, and the endpoint: three `def` steps."""
    app = VeloxAPI()

    def token(x_token: Annotated[str, Depends(lambda: "t")]) -> str:
        log.append("token")
        return x_token + "1"

    def user(tok: Annotated[str, Depends(token)]) -> str:
        log.append("user")
        return f"user-{tok}"

    @app.get("/")
    def endpoint(name: Annotated[str, Depends(user)]) -> dict[str, str]:
        log.append("endpoint")
        return {"name": name}

    return app


async def test_a_chain_of_def_steps_takes_one_hop(hops: list[int]) -> None:
    log: list[str] = []
    async with client(chain_app(log)) as http:
        response = await http.get("/")
    assert response.json() == {"name": "user-t1"}
    assert log == ["token", "user", "endpoint"]
    assert len(hops) == 1


async def test_an_async_step_between_def_steps_splits_the_hop(hops: list[int]) -> None:
    app = VeloxAPI()

    def first() -> int:
        return 1

    async def middle(value: Annotated[int, Depends(first)]) -> int:
        return value + 1

    @app.get("/")
    def endpoint(value: Annotated[int, Depends(middle)]) -> int:
        return value + 1

    async with client(app) as http:
        assert (await http.get("/")).json() == 3
    assert len(hops) == 2


async def test_each_step_of_a_hop_runs_in_its_own_copy_of_the_context() -> None:
    app = VeloxAPI()
    seen: dict[str, str] = {}

    @app.middleware("http")
    async def tag(request: Any, call_next: Any) -> Any:
        marker.set(request.headers["x-id"])
        return await call_next(request)

    async def on_loop() -> None:
        marker.set(marker.get() + "+async")  # set on the loop: every later step sees it

    def first(_: Annotated[None, Depends(on_loop)]) -> None:
        seen["first"] = marker.get()
        marker.set("set by first")

    def second(_: Annotated[None, Depends(first)]) -> None:
        seen["second"] = marker.get()
        marker.set("set by second")

    @app.get("/")
    def endpoint(_: Annotated[None, Depends(second)]) -> str:
        seen["endpoint"] = marker.get()
        marker.set("set by endpoint")
        return "ok"

    async with client(app) as http:
        for n in range(3):
            seen.clear()
            assert (await http.get("/", headers={"x-id": f"r{n}"})).json() == "ok"
            assert seen == {
                "first": f"r{n}+async",
                "second": f"r{n}+async",
                "endpoint": f"r{n}+async",
            }


async def test_the_default_thread_limiter_bounds_hops() -> None:
    app = VeloxAPI()
    lock = threading.Lock()
    state = {"active": 0, "peak": 0}

    def busy() -> None:
        with lock:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
        time.sleep(0.03)
        with lock:
            state["active"] -= 1

    def dep() -> None:
        busy()

    @app.get("/")
    def endpoint(_: Annotated[None, Depends(dep)]) -> int:
        busy()
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


async def test_from_thread_reaches_the_loop_from_every_step_of_a_hop() -> None:
    app = VeloxAPI()

    async def double(value: int) -> int:
        await anyio.sleep(0)
        return value * 2

    def dep() -> int:
        return anyio.from_thread.run(double, 10)

    @app.get("/")
    def endpoint(value: Annotated[int, Depends(dep)]) -> int:
        return anyio.from_thread.run(double, value + 1)

    async with client(app) as http:
        assert (await http.get("/")).json() == 42


async def test_an_error_in_a_step_stops_the_later_steps() -> None:
    app = VeloxAPI()
    log: list[str] = []

    def first() -> None:
        log.append("first")

    def refuse(_: Annotated[None, Depends(first)]) -> None:
        log.append("refuse")
        raise HTTPException(status_code=403, detail="no")

    def later(_: Annotated[None, Depends(refuse)]) -> None:
        log.append("later")

    @app.get("/")
    def endpoint(_: Annotated[None, Depends(later)]) -> int:
        log.append("endpoint")
        return 1

    async with client(app) as http:
        response = await http.get("/")
    assert (response.status_code, response.json()) == (403, {"detail": "no"})
    assert log == ["first", "refuse"]


async def test_an_exception_from_validating_a_later_step_comes_after_the_earlier_calls() -> None:
    app = VeloxAPI()
    log: list[str] = []

    def teapot(value: int) -> int:
        raise HTTPException(status_code=418)

    def first() -> None:
        log.append("first")

    def second(
        q: Annotated[int, AfterValidator(teapot)], _: Annotated[None, Depends(first)]
    ) -> None:
        log.append("second")

    @app.get("/")
    def endpoint(_: Annotated[None, Depends(second)]) -> int:
        log.append("endpoint")
        return 1

    async with client(app) as http:
        assert (await http.get("/", params={"q": "1"})).status_code == 418
    assert log == ["first"]


async def test_a_validation_error_skips_the_steps_that_need_the_value() -> None:
    app = VeloxAPI()
    log: list[str] = []

    def first() -> None:
        log.append("first")

    def needs_q(q: int, _: Annotated[None, Depends(first)]) -> int:
        log.append("needs_q")
        return q

    @app.get("/")
    def endpoint(q: Annotated[int, Depends(needs_q)]) -> int:
        log.append("endpoint")
        return q

    async with client(app) as http:
        bad = await http.get("/", params={"q": "x"})
        assert log == ["first"]
        good = await http.get("/", params={"q": "5"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "q"]
    assert good.json() == 5
    assert log == ["first", "first", "needs_q", "endpoint"]


async def test_yield_dependencies_keep_their_order_and_see_the_endpoint_error() -> None:
    app = VeloxAPI()
    log: list[str] = []

    def before() -> str:
        log.append("before")
        return "b"

    def resource(_: Annotated[str, Depends(before)]) -> Iterator[str]:
        log.append("enter")
        try:
            yield "r"
        except HTTPException as exc:
            log.append(f"saw {exc.status_code}")
            raise
        finally:
            log.append("exit")

    def after(value: Annotated[str, Depends(resource)]) -> str:
        log.append("after")
        return value + "a"

    @app.get("/")
    def endpoint(value: Annotated[str, Depends(after)], fail: bool = False) -> str:
        log.append("endpoint")
        if fail:
            raise HTTPException(status_code=409)
        return value

    async with client(app) as http:
        assert (await http.get("/")).json() == "ra"
        assert log == ["before", "enter", "after", "endpoint", "exit"]
        log.clear()
        assert (await http.get("/", params={"fail": "true"})).status_code == 409
    assert log == ["before", "enter", "after", "endpoint", "saw 409", "exit"]


async def test_cached_and_uncached_dependencies_in_a_hop() -> None:
    app = VeloxAPI()
    calls: list[str] = []

    def counted() -> int:
        calls.append("counted")
        return len(calls)

    def uses(
        a: Annotated[int, Depends(counted)],
        b: Annotated[int, Depends(counted)],
        c: Annotated[int, Depends(counted, use_cache=False)],
    ) -> list[int]:
        return [a, b, c]

    @app.get("/")
    def endpoint(values: Annotated[list[int], Depends(uses)]) -> list[int]:
        return values

    async with client(app) as http:
        assert (await http.get("/")).json() == [1, 1, 2]
    assert calls == ["counted", "counted"]


async def test_overrides_of_steps_in_a_hop() -> None:
    app = VeloxAPI()

    def token() -> str:
        return "t"

    def user(tok: Annotated[str, Depends(token)]) -> str:
        return f"user-{tok}"

    @app.get("/")
    def endpoint(name: Annotated[str, Depends(user)]) -> str:
        return name

    def sync_token() -> str:
        return "sync"

    async def async_token() -> str:
        return "async"

    def yield_token() -> Iterator[str]:
        yield "yield"

    async with client(app) as http:
        assert (await http.get("/")).json() == "user-t"
        for override in (sync_token, async_token, yield_token):
            app.dependency_overrides[token] = override
            assert (await http.get("/")).json() == "user-" + override.__name__.split("_")[0]
        app.dependency_overrides.clear()
        assert (await http.get("/")).json() == "user-t"


async def test_an_override_installed_by_an_earlier_step_of_the_hop_is_called() -> None:
    app = VeloxAPI()

    def original() -> str:
        return "original"

    async def replacement() -> str:
        return "replacement"

    def installs(request: Request) -> None:
        request.app.dependency_overrides[original] = replacement

    @app.get("/")
    def endpoint(
        _: Annotated[None, Depends(installs)], value: Annotated[str, Depends(original)]
    ) -> str:
        return value

    async with client(app) as http:
        assert (await http.get("/")).json() == "replacement"


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_a_cancelled_request_waits_for_the_step_running_and_starts_no_other(
    anyio_backend: str,
) -> None:
    app = VeloxAPI()
    started = threading.Event()
    release = threading.Event()
    log: list[str] = []

    def slow() -> None:
        started.set()
        release.wait(5)
        log.append("slow")

    def later(_: Annotated[None, Depends(slow)]) -> None:
        log.append("later")

    @app.get("/")
    def endpoint(_: Annotated[None, Depends(later)]) -> int:
        log.append("endpoint")
        return 1

    async with client(app) as http:
        async with anyio.create_task_group() as tg:
            tg.start_soon(http.get, "/")
            await anyio.to_thread.run_sync(started.wait, 5)
            threading.Timer(0.1, release.set).start()
            tg.cancel_scope.cancel()
        log.append("request")
    assert log == ["slow", "request"]
