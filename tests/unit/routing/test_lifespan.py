"""Lifespan: lifespan context, state, startup/shutdown handlers, included routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from veloxapi import APIRouter, Request, VeloxAPI
from veloxapi.testclient import TestClient


def test_lifespan_runs_around_requests_and_shares_state() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: VeloxAPI) -> AsyncIterator[dict[str, Any]]:
        events.append("startup")
        yield {"model": "loaded"}
        events.append("shutdown")

    app = VeloxAPI(lifespan=lifespan)

    @app.get("/")
    def endpoint(request: Request) -> dict[str, Any]:
        events.append("request")
        return {"model": request.state.model}

    with TestClient(app) as client:
        assert events == ["startup"]
        assert client.get("/").json() == {"model": "loaded"}
    assert events == ["startup", "request", "shutdown"]


def test_lifespan_without_state() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: VeloxAPI) -> AsyncIterator[None]:
        events.append("up")
        app.state.ready = True
        yield
        events.append("down")

    app = VeloxAPI(lifespan=lifespan)

    @app.get("/")
    def endpoint(request: Request) -> bool:
        return bool(request.app.state.ready)

    with TestClient(app) as client:
        assert client.get("/").json() is True
    assert events == ["up", "down"]


def test_startup_and_shutdown_handlers() -> None:
    events: list[str] = []

    def sync_start() -> None:
        events.append("sync start")

    async def async_start() -> None:
        events.append("async start")

    async def stop() -> None:
        events.append("stop")

    app = VeloxAPI(on_startup=[sync_start, async_start], on_shutdown=[stop])
    with TestClient(app):
        assert events == ["sync start", "async start"]
    assert events == ["sync start", "async start", "stop"]


def test_on_event_decorator_is_deprecated_but_works() -> None:
    events: list[str] = []
    app = VeloxAPI()
    with pytest.warns(DeprecationWarning):

        @app.on_event("startup")
        def start() -> None:
            events.append("start")

    with pytest.warns(DeprecationWarning):

        @app.on_event("shutdown")
        def stop() -> None:
            events.append("stop")

    with TestClient(app):
        pass
    assert events == ["start", "stop"]


def test_unknown_event_type_is_rejected() -> None:
    app = VeloxAPI()
    with pytest.raises(ValueError, match="'boot'"):
        app.add_event_handler("boot", lambda: None)


def test_included_router_lifespans_nest_and_merge_state() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def app_lifespan(app: VeloxAPI) -> AsyncIterator[dict[str, str]]:
        events.append("app up")
        yield {"app": "a", "overridden": "app"}
        events.append("app down")

    @asynccontextmanager
    async def router_lifespan(app: Any) -> AsyncIterator[dict[str, str]]:
        events.append("router up")
        yield {"router": "r", "overridden": "router"}
        events.append("router down")

    @asynccontextmanager
    async def sub_lifespan(app: Any) -> AsyncIterator[dict[str, str]]:
        events.append("sub up")
        yield {"sub": "s"}
        events.append("sub down")

    sub = APIRouter(lifespan=sub_lifespan)
    router = APIRouter(lifespan=router_lifespan)
    router.include_router(sub)

    @router.get("/state")
    def state(request: Request) -> dict[str, str]:
        return {k: getattr(request.state, k) for k in ("app", "router", "sub", "overridden")}

    app = VeloxAPI(lifespan=app_lifespan)
    app.include_router(router)
    with TestClient(app) as client:
        assert client.get("/state").json() == {
            "app": "a",
            "router": "r",
            "sub": "s",
            "overridden": "app",  # the including app's own state wins, as in FastAPI
        }
    assert events == ["app up", "router up", "sub up", "sub down", "router down", "app down"]


def test_included_router_startup_handlers_run_once() -> None:
    events: list[str] = []
    router = APIRouter(
        on_startup=[lambda: events.append("router startup")],
        on_shutdown=[lambda: events.append("router shutdown")],
    )
    app = VeloxAPI(on_startup=[lambda: events.append("app startup")])
    app.include_router(router)
    with TestClient(app):
        pass
    assert sorted(events) == ["app startup", "router shutdown", "router startup"]


def test_startup_handlers_of_a_router_with_a_lifespan_run_once() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def router_lifespan(app: Any) -> AsyncIterator[None]:
        events.append("router up")
        yield
        events.append("router down")

    router = APIRouter(
        lifespan=router_lifespan,
        on_startup=[lambda: events.append("router startup")],
        on_shutdown=[lambda: events.append("router shutdown")],
    )
    app = VeloxAPI()
    app.include_router(router)
    with TestClient(app):
        pass
    assert sorted(events) == ["router down", "router shutdown", "router startup", "router up"]


def test_startup_failure_is_reported() -> None:
    @asynccontextmanager
    async def lifespan(app: VeloxAPI) -> AsyncIterator[None]:
        raise RuntimeError("cannot connect")
        yield  # pragma: no cover

    app = VeloxAPI(lifespan=lifespan)
    with pytest.raises(RuntimeError, match="cannot connect"), TestClient(app):
        pass  # pragma: no cover
