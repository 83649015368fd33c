"""Lifetimes of yield dependencies: cancel scopes and task groups held across ``yield``,
cleanup order across the two scopes, cleanup under cancellation, overrides installed
during a request."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any, Literal

import anyio
import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from veloxapi import APIRouter, Depends, VeloxAPI, WebSocket
from veloxapi.exceptions import FastAPIError
from veloxapi.routing import APIRoute
from veloxapi.testclient import TestClient

pytestmark = pytest.mark.anyio

Scope = Literal["function", "request"]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def client_for(app: VeloxAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def scope_owner(events: list[str]) -> Any:
    async def owner() -> AsyncIterator[None]:
        with anyio.CancelScope():
            events.append("owner enter")
            try:
                yield
            finally:
                await anyio.sleep(0)
                events.append("owner cleanup")

    return owner


def plain_dependency(events: list[str]) -> Any:
    async def plain() -> AsyncIterator[None]:
        try:
            yield
        finally:
            await anyio.sleep(0)
            events.append("plain cleanup")

    return plain


@pytest.mark.parametrize("owner_scope", ["function", "request"])
@pytest.mark.parametrize("owner_first", [False, True])
@pytest.mark.parametrize("cancel", [False, True])
async def test_cancel_scope_held_across_yield_closes_in_scope_order(
    owner_scope: Scope, owner_first: bool, cancel: bool
) -> None:
    events: list[str] = []
    external = anyio.CancelScope()
    other: Scope = "request" if owner_scope == "function" else "function"
    dependencies = [
        Depends(scope_owner(events), scope=owner_scope),
        Depends(plain_dependency(events), scope=other),
    ]
    if not owner_first:
        dependencies.reverse()
    app = VeloxAPI()

    @app.get("/", dependencies=dependencies)
    async def endpoint() -> str:
        if cancel:
            external.cancel()
            await anyio.sleep(0)
        return "ok"

    with anyio.fail_after(5):
        async with client_for(app) as client:
            with external:
                response = await client.get("/")
                assert response.json() == "ok"
    expected = ["owner cleanup", "plain cleanup"]
    assert events[-2:] == (expected if owner_scope == "function" else expected[::-1])
    assert external.cancelled_caught is cancel


@pytest.mark.parametrize("scope", ["function", "request"])
async def test_task_group_dependency_lives_in_the_request_task(scope: Scope) -> None:
    tasks: list[int] = []
    events: list[str] = []
    app = VeloxAPI()

    async def child() -> None:
        try:
            await anyio.sleep_forever()
        finally:
            events.append("child stopped")

    async def dependency() -> AsyncIterator[None]:
        tasks.append(anyio.get_current_task().id)
        async with anyio.create_task_group() as group:
            group.start_soon(child)
            try:
                yield
            finally:
                group.cancel_scope.cancel()
        tasks.append(anyio.get_current_task().id)

    @app.get("/")
    async def endpoint(_: Annotated[None, Depends(dependency, scope=scope)]) -> str:
        tasks.append(anyio.get_current_task().id)
        return "ok"

    with anyio.fail_after(5):
        async with client_for(app) as client:
            assert (await client.get("/")).json() == "ok"
    assert events == ["child stopped"]
    assert len(tasks) == 3 and len(set(tasks)) == 1


@pytest.mark.parametrize("scope", ["function", "request"])
async def test_cleanup_finishes_before_the_cancellation_is_delivered(scope: Scope) -> None:
    cleanup_started, release = anyio.Event(), anyio.Event()
    events: list[str] = []
    app = VeloxAPI()

    async def dependency() -> AsyncIterator[None]:
        try:
            yield
        finally:
            cleanup_started.set()
            await release.wait()
            events.append("cleanup end")

    @app.get("/")
    async def endpoint(_: Annotated[None, Depends(dependency, scope=scope)]) -> None:
        await anyio.sleep_forever()

    with anyio.fail_after(5):
        async with client_for(app) as client, anyio.create_task_group() as group:
            cancel = anyio.CancelScope()

            async def request() -> None:
                with cancel:
                    await client.get("/")

            group.start_soon(request)
            await anyio.wait_all_tasks_blocked()
            cancel.cancel()
            await cleanup_started.wait()
            await anyio.wait_all_tasks_blocked()
            assert events == []  # still in the cleanup, shielded
            release.set()
    assert events == ["cleanup end"]
    assert cancel.cancelled_caught


async def test_sync_cleanup_does_not_deliver_a_pending_cancellation() -> None:
    events: list[str] = []
    cancel = anyio.CancelScope()

    def dependency() -> Iterator[None]:
        yield
        events.append("cleanup")

    app = VeloxAPI(dependencies=[Depends(dependency)])

    @app.get("/")
    async def endpoint() -> dict[str, bool]:
        cancel.cancel()
        return {"ok": True}

    async with client_for(app) as client:
        with cancel:
            response = await client.get("/")
    assert response.json() == {"ok": True}
    assert events == ["cleanup"]
    assert not cancel.cancelled_caught


async def test_custom_route_class_closes_scope_owning_dependencies() -> None:
    events: list[str] = []

    class TimedRoute(APIRoute):
        def get_route_handler(self) -> Any:
            handler = super().get_route_handler()

            async def timed(request: Request) -> Response:
                response: Response = await handler(request)
                response.headers["x-wrapped"] = "yes"
                return response

            return timed

    router = APIRouter(route_class=TimedRoute)
    dependencies = [
        Depends(plain_dependency(events), scope="function"),
        Depends(scope_owner(events)),
    ]

    @router.get("/", dependencies=dependencies)
    async def endpoint() -> str:
        return "ok"

    app = VeloxAPI()
    app.include_router(router)
    async with client_for(app) as client:
        response = await client.get("/")
    assert response.headers["x-wrapped"] == "yes"
    assert events == ["owner enter", "plain cleanup", "owner cleanup"]


def test_websocket_dependency_task_group_closes_after_the_session() -> None:
    events: list[str] = []
    app = VeloxAPI()

    async def dependency() -> AsyncIterator[str]:
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.sleep_forever)
            try:
                yield "resource"
            finally:
                group.cancel_scope.cancel()
        events.append("closed")

    @app.websocket("/ws")
    async def socket(websocket: WebSocket, value: Annotated[str, Depends(dependency)]) -> None:
        await websocket.accept()
        await websocket.send_text(value)
        await websocket.close()

    with TestClient(app) as client, client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "resource"
    assert events == ["closed"]


async def test_override_installed_by_an_earlier_dependency_applies_in_the_same_request() -> None:
    app = VeloxAPI()

    async def original() -> str:
        return "original"

    async def replacement(q: str = "default") -> str:
        return f"replacement:{q}"

    async def configure() -> None:
        app.dependency_overrides[original] = replacement

    @app.get("/")
    async def endpoint(
        _: Annotated[None, Depends(configure)], value: Annotated[str, Depends(original)]
    ) -> str:
        return value

    async with client_for(app) as client:
        assert (await client.get("/", params={"q": "x"})).json() == "replacement:x"
        assert (await client.get("/")).json() == "replacement:default"


async def test_yield_override_installed_during_a_request_is_refused_clearly() -> None:
    app = VeloxAPI()

    async def original() -> str:
        return "original"

    async def replacement() -> AsyncIterator[str]:
        yield "replacement"

    async def configure() -> None:
        app.dependency_overrides[original] = replacement

    @app.get("/")
    async def endpoint(
        _: Annotated[None, Depends(configure)], value: Annotated[str, Depends(original)]
    ) -> str:
        return value

    async with client_for(app) as client:
        with pytest.raises(FastAPIError, match=r"installed in app\.dependency_overrides while"):
            await client.get("/")
        assert (await client.get("/")).json() == "replacement"  # the next request plans it
