"""Frontend dependencies run through the same engine as API route dependencies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from veloxapi import (
    APIRouter,
    BackgroundTasks,
    Depends,
    HTTPException,
    Request,
    Response,
    VeloxAPI,
)
from veloxapi.testclient import TestClient

Build = Callable[..., Path]
HTML = {"accept": "text/html"}


def recorder(calls: list[str], name: str) -> Callable[[], None]:
    def dependency() -> None:
        calls.append(name)

    return dependency


def test_guard_dependency_protects_files_and_fallback(build: Build) -> None:
    def signed_in(request: Request) -> None:
        if request.cookies.get("session") != "ok":
            raise HTTPException(status_code=401, detail="sign in")

    app = VeloxAPI()
    app.frontend(
        "/",
        directory=build(files={"index.html": "shell", "a.js": "js"}),
        fallback="index.html",
        dependencies=[Depends(signed_in)],
    )
    client = TestClient(app)
    cookie = {"cookie": "session=ok"}

    assert client.get("/a.js").json() == {"detail": "sign in"}
    assert client.get("/deep", headers=HTML).status_code == 401
    assert client.get("/a.js", headers=cookie).text == "js"
    assert client.get("/deep", headers={**HTML, **cookie}).text == "shell"


def test_dependency_order_through_nested_includes(build: Build) -> None:
    calls: list[str] = []
    child = APIRouter(dependencies=[Depends(recorder(calls, "child"))])
    child.frontend(
        "/",
        directory=build(files={"index.html": "x"}),
        dependencies=[Depends(recorder(calls, "own"))],
    )
    parent = APIRouter(dependencies=[Depends(recorder(calls, "parent"))])
    parent.include_router(child, prefix="/c", dependencies=[Depends(recorder(calls, "include-c"))])
    app = VeloxAPI(dependencies=[Depends(recorder(calls, "app"))])
    app.include_router(parent, prefix="/p", dependencies=[Depends(recorder(calls, "include-p"))])

    assert TestClient(app).get("/p/c/").text == "x"
    assert calls == ["app", "include-p", "parent", "include-c", "child", "own"]


def test_overrides_apply_and_follow_changes(build: Build) -> None:
    def real() -> None:
        raise HTTPException(status_code=403)

    router = APIRouter()
    router.frontend("/", directory=build(files={"index.html": "x"}), dependencies=[Depends(real)])
    app = VeloxAPI()
    app.include_router(router)
    client = TestClient(app)

    assert client.get("/").status_code == 403
    app.dependency_overrides[real] = lambda: None
    assert client.get("/").status_code == 200
    app.dependency_overrides.clear()
    assert client.get("/").status_code == 403


def test_yield_dependency_cleanup_runs_after_the_file_is_sent(build: Build) -> None:
    events: list[str] = []

    def session() -> Iterator[str]:
        events.append("open")
        yield "s"
        events.append("close")

    def use(value: str = Depends(session)) -> None:
        events.append(f"use {value}")

    app = VeloxAPI()
    app.frontend("/", directory=build(files={"index.html": "x"}), dependencies=[Depends(use)])

    assert TestClient(app).get("/").text == "x"
    assert events == ["open", "use s", "close"]


def test_injected_response_and_background_tasks(build: Build) -> None:
    done: list[str] = []

    def decorate(response: Response, tasks: BackgroundTasks) -> None:
        response.headers["cache-control"] = "no-store"
        response.set_cookie("seen", "1")
        tasks.add_task(done.append, "task")

    app = VeloxAPI(dependencies=[Depends(decorate)])
    app.frontend("/", directory=build(files={"index.html": "x"}))

    response = TestClient(app).get("/")

    assert response.headers["cache-control"] == "no-store"
    assert response.cookies["seen"] == "1"
    assert done == ["task"]


def test_invalid_dependency_input_is_a_422(build: Build) -> None:
    def token(t: int) -> int:
        return t

    app = VeloxAPI()
    app.frontend("/", directory=build(files={"index.html": "x"}), dependencies=[Depends(token)])
    client = TestClient(app)

    bad = client.get("/?t=abc")

    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "t"]
    assert client.get("/?t=1").text == "x"


def test_dependencies_skip_when_an_api_route_or_other_frontend_answers(build: Build) -> None:
    calls: list[str] = []
    app = VeloxAPI()
    app.frontend(
        "/", directory=build("a", {"index.html": "a"}), dependencies=[Depends(recorder(calls, "a"))]
    )
    app.frontend(
        "/b",
        directory=build("b", {"index.html": "b"}),
        dependencies=[Depends(recorder(calls, "b"))],
    )

    @app.get("/api")
    def api() -> str:
        return "api"

    client = TestClient(app)

    assert client.get("/api").json() == "api"
    assert client.get("/b/").text == "b"
    assert calls == ["b"]


def test_methods_refused_before_dependencies_run(build: Build) -> None:
    calls: list[str] = []
    app = VeloxAPI()
    app.frontend(
        "/", directory=build(files={"a.txt": "a"}), dependencies=[Depends(recorder(calls, "dep"))]
    )

    assert TestClient(app).delete("/a.txt").status_code == 405
    assert calls == []
