"""Dependencies: sub-dependencies, caching, classes, yield cleanup and scopes, security scopes."""

import contextlib
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from veloxapi import (
    APIRouter,
    Body,
    Cookie,
    Depends,
    Form,
    Header,
    HTTPException,
    Query,
    Request,
    Security,
    VeloxAPI,
)
from veloxapi.exceptions import FastAPIError
from veloxapi.responses import StreamingResponse
from veloxapi.security import SecurityScopes
from veloxapi.testclient import TestClient


def test_sub_dependencies_receive_request_params() -> None:
    def query_extractor(q: str | None = None) -> str | None:
        return q

    def query_or_cookie(
        q: Annotated[str | None, Depends(query_extractor)],
        last_query: Annotated[str | None, Query()] = None,
    ) -> str | None:
        return q or last_query

    app = VeloxAPI()

    @app.get("/items")
    def items(value: Annotated[str | None, Depends(query_or_cookie)]) -> dict[str, Any]:
        return {"value": value}

    client = TestClient(app)
    assert client.get("/items?q=a").json() == {"value": "a"}
    assert client.get("/items?last_query=b").json() == {"value": "b"}
    assert client.get("/items").json() == {"value": None}


def test_dependency_param_errors_are_reported_with_the_endpoint_errors() -> None:
    def needs_token(x_token: Annotated[str, Header()]) -> str:
        return x_token

    app = VeloxAPI()

    @app.get("/items")
    def items(token: Annotated[str, Depends(needs_token)], limit: int) -> str:
        return token

    response = TestClient(app).get("/items")
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["detail"]]
    assert ["header", "x-token"] in locs
    assert ["query", "limit"] in locs


def test_dependency_is_called_once_per_request_when_shared() -> None:
    calls: list[int] = []

    def counter() -> int:
        calls.append(1)
        return len(calls)

    def first(value: Annotated[int, Depends(counter)]) -> int:
        return value

    def second(value: Annotated[int, Depends(counter)]) -> int:
        return value

    app = VeloxAPI()

    @app.get("/")
    def endpoint(
        a: Annotated[int, Depends(first)],
        b: Annotated[int, Depends(second)],
        c: Annotated[int, Depends(counter)],
    ) -> list[int]:
        return [a, b, c]

    client = TestClient(app)
    assert client.get("/").json() == [1, 1, 1]
    assert client.get("/").json() == [2, 2, 2]
    assert len(calls) == 2


def test_use_cache_false_calls_again() -> None:
    calls: list[int] = []

    def counter() -> int:
        calls.append(1)
        return len(calls)

    app = VeloxAPI()

    @app.get("/")
    def endpoint(
        a: Annotated[int, Depends(counter)],
        b: Annotated[int, Depends(counter, use_cache=False)],
    ) -> list[int]:
        return [a, b]

    assert TestClient(app).get("/").json() == [1, 2]


def test_class_dependency_and_shortcut() -> None:
    class Pagination:
        def __init__(self, skip: int = 0, limit: int = 10) -> None:
            self.skip = skip
            self.limit = limit

    app = VeloxAPI()

    @app.get("/a")
    def a(page: Annotated[Pagination, Depends(Pagination)]) -> dict[str, int]:
        return {"skip": page.skip, "limit": page.limit}

    @app.get("/b")
    def b(page: Annotated[Pagination, Depends()]) -> dict[str, int]:
        return {"skip": page.skip, "limit": page.limit}

    @app.get("/c")
    def c(page: Pagination = Depends()) -> dict[str, int]:
        return {"skip": page.skip, "limit": page.limit}

    client = TestClient(app)
    for path in ("/a", "/b", "/c"):
        assert client.get(f"{path}?skip=5").json() == {"skip": 5, "limit": 10}
    assert client.get("/a?limit=x").status_code == 422


def test_callable_instance_dependency() -> None:
    class FixedContent:
        def __init__(self, needle: str) -> None:
            self.needle = needle

        def __call__(self, q: str = "") -> bool:
            return self.needle in q

    checker = FixedContent("bar")
    app = VeloxAPI()

    @app.get("/")
    def endpoint(found: Annotated[bool, Depends(checker)]) -> bool:
        return found

    client = TestClient(app)
    assert client.get("/?q=foobar").json() is True
    assert client.get("/?q=foo").json() is False


def test_async_and_sync_dependencies_mix() -> None:
    async def async_dep() -> str:
        return "async"

    def sync_dep(value: Annotated[str, Depends(async_dep)]) -> str:
        return value + "+sync"

    app = VeloxAPI()

    @app.get("/")
    async def endpoint(value: Annotated[str, Depends(sync_dep)]) -> str:
        return value

    assert TestClient(app).get("/").json() == "async+sync"


def test_dependency_receives_request() -> None:
    def path_of(request: Request) -> str:
        return request.url.path

    app = VeloxAPI()

    @app.get("/where")
    def where(path: Annotated[str, Depends(path_of)]) -> str:
        return path

    assert TestClient(app).get("/where").json() == "/where"


def test_yield_dependencies_clean_up_in_reverse_order_after_the_endpoint() -> None:
    events: list[str] = []

    def dep_a() -> Iterator[str]:
        events.append("a start")
        yield "a"
        events.append("a end")

    async def dep_b(a: Annotated[str, Depends(dep_a)]) -> AsyncIterator[str]:
        events.append("b start")
        yield a + "b"
        events.append("b end")

    def dep_c(b: Annotated[str, Depends(dep_b)]) -> Iterator[str]:
        events.append("c start")
        yield b + "c"
        events.append("c end")

    app = VeloxAPI()

    @app.get("/")
    def endpoint(c: Annotated[str, Depends(dep_c)]) -> str:
        events.append("endpoint")
        return c

    assert TestClient(app).get("/").json() == "abc"
    assert events == [
        "a start",
        "b start",
        "c start",
        "endpoint",
        "c end",
        "b end",
        "a end",
    ]


def test_yield_dependency_sees_the_endpoint_exception() -> None:
    seen: list[str] = []

    def dep() -> Iterator[None]:
        try:
            yield
        except HTTPException as exc:
            seen.append(f"caught {exc.status_code}")
            raise
        finally:
            seen.append("finally")

    app = VeloxAPI()

    @app.get("/")
    def endpoint(_: Annotated[None, Depends(dep)]) -> None:
        raise HTTPException(status_code=409, detail="conflict")

    response = TestClient(app).get("/")
    assert response.status_code == 409
    assert response.json() == {"detail": "conflict"}
    assert seen == ["caught 409", "finally"]


def test_yield_dependency_can_translate_an_exception() -> None:
    class DomainError(Exception):
        pass

    async def dep() -> AsyncIterator[None]:
        try:
            yield
        except DomainError:
            raise HTTPException(status_code=400, detail="translated") from None

    app = VeloxAPI()

    @app.get("/")
    async def endpoint(_: Annotated[None, Depends(dep)]) -> None:
        raise DomainError

    response = TestClient(app).get("/")
    assert response.status_code == 400
    assert response.json() == {"detail": "translated"}


def test_yield_dependency_swallowing_an_exception_is_reported() -> None:
    def dep() -> Iterator[None]:
        with contextlib.suppress(Exception):
            yield

    app = VeloxAPI()

    @app.get("/")
    def endpoint(_: Annotated[None, Depends(dep)]) -> None:
        raise ValueError("boom")

    client = TestClient(app, raise_server_exceptions=False)
    assert client.get("/").status_code == 500


def test_cached_yield_dependency_runs_and_cleans_up_once() -> None:
    events: list[str] = []

    def session() -> Iterator[str]:
        events.append("open")
        yield "s"
        events.append("close")

    def repo(s: Annotated[str, Depends(session)]) -> str:
        return s + "-repo"

    app = VeloxAPI()

    @app.get("/")
    def endpoint(
        s: Annotated[str, Depends(session)], r: Annotated[str, Depends(repo)]
    ) -> list[str]:
        return [s, r]

    assert TestClient(app).get("/").json() == ["s", "s-repo"]
    assert events == ["open", "close"]


class _Session:
    def __init__(self) -> None:
        self.open = True


def _session() -> Iterator[_Session]:
    session = _Session()
    yield session
    session.open = False


def test_yield_scope_function_closes_before_the_response_is_sent() -> None:
    app = VeloxAPI()

    @app.get("/function")
    def function_scope(
        session: Annotated[_Session, Depends(_session, scope="function")],
    ) -> StreamingResponse:
        def body() -> Iterator[str]:
            yield f"open={session.open}"

        return StreamingResponse(body())

    @app.get("/request")
    def request_scope(
        session: Annotated[_Session, Depends(_session, scope="request")],
    ) -> StreamingResponse:
        def body() -> Iterator[str]:
            yield f"open={session.open}"

        return StreamingResponse(body())

    @app.get("/default")
    def default_scope(session: Annotated[_Session, Depends(_session)]) -> StreamingResponse:
        def body() -> Iterator[str]:
            yield f"open={session.open}"

        return StreamingResponse(body())

    client = TestClient(app)
    assert client.get("/function").text == "open=False"
    assert client.get("/request").text == "open=True"
    assert client.get("/default").text == "open=True"


def test_request_scoped_yield_dependency_cannot_use_a_function_scoped_one() -> None:
    def outer(session: Annotated[_Session, Depends(_session, scope="function")]) -> Iterator[int]:
        yield 1

    app = VeloxAPI()
    with pytest.raises(
        FastAPIError,
        match='The dependency "outer" has a scope of "request", it cannot depend on '
        'dependencies with scope "function"',
    ):

        @app.get("/")
        def endpoint(v: Annotated[int, Depends(outer)]) -> int:
            return v  # pragma: no cover


def test_cleanup_runs_after_the_response_has_been_sent() -> None:
    events: list[str] = []

    def dep() -> Iterator[None]:
        yield
        events.append("cleanup")

    app = VeloxAPI()

    @app.get("/")
    def endpoint(_: Annotated[None, Depends(dep)]) -> StreamingResponse:
        def body() -> Iterator[bytes]:
            events.append("body")
            yield b"x"

        return StreamingResponse(body())

    assert TestClient(app).get("/").text == "x"
    assert events == ["body", "cleanup"]


def test_app_and_router_level_dependencies_run_in_order() -> None:
    order: list[str] = []

    def app_dep() -> None:
        order.append("app")

    def router_dep() -> None:
        order.append("router")

    def route_dep() -> None:
        order.append("route")

    def param_dep() -> None:
        order.append("param")

    app = VeloxAPI(dependencies=[Depends(app_dep)])
    router = APIRouter(dependencies=[Depends(router_dep)])

    @router.get("/", dependencies=[Depends(route_dep)])
    def endpoint(_: Annotated[None, Depends(param_dep)]) -> str:
        order.append("endpoint")
        return "ok"

    app.include_router(router)
    assert TestClient(app).get("/").json() == "ok"
    assert order == ["app", "router", "route", "param", "endpoint"]


def test_app_level_dependency_errors_block_every_route() -> None:
    def verify(x_key: Annotated[str, Header()]) -> None:
        if x_key != "good":
            raise HTTPException(status_code=400, detail="X-Key header invalid")

    app = VeloxAPI(dependencies=[Depends(verify)])

    @app.get("/items")
    def items() -> list[str]:
        return ["a"]

    client = TestClient(app)
    assert client.get("/items", headers={"X-Key": "good"}).json() == ["a"]
    assert client.get("/items", headers={"X-Key": "bad"}).json() == {
        "detail": "X-Key header invalid"
    }
    response = client.get("/items")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "x-key"]


def test_security_scopes_are_collected_from_the_path() -> None:
    def get_user(security_scopes: SecurityScopes) -> dict[str, Any]:
        return {"scopes": security_scopes.scopes, "scope_str": security_scopes.scope_str}

    def active_user(
        user: Annotated[dict[str, Any], Security(get_user, scopes=["me"])],
    ) -> dict[str, Any]:
        return user

    app = VeloxAPI()

    @app.get("/items")
    def items(
        user: Annotated[dict[str, Any], Security(active_user, scopes=["items"])],
    ) -> dict[str, Any]:
        return user

    @app.get("/plain")
    def plain(user: Annotated[dict[str, Any], Depends(get_user)]) -> dict[str, Any]:
        return user

    client = TestClient(app)
    assert client.get("/items").json() == {"scopes": ["items", "me"], "scope_str": "items me"}
    assert client.get("/plain").json() == {"scopes": [], "scope_str": ""}


def test_security_scopes_do_not_leak_between_routes_sharing_a_dependency() -> None:
    def get_scopes(security_scopes: SecurityScopes) -> list[str]:
        return security_scopes.scopes

    app = VeloxAPI()

    @app.get("/read")
    def read(s: Annotated[list[str], Security(get_scopes, scopes=["read"])]) -> list[str]:
        return s

    @app.get("/write")
    def write(s: Annotated[list[str], Security(get_scopes, scopes=["write"])]) -> list[str]:
        return s

    client = TestClient(app)
    assert client.get("/read").json() == ["read"]
    assert client.get("/write").json() == ["write"]


def test_sync_dependencies_and_endpoints_run_off_the_event_loop_thread() -> None:
    threads: dict[str, int] = {}

    def sync_dep() -> None:
        threads["sync_dep"] = threading.get_ident()

    def sync_yield_dep() -> Iterator[None]:
        threads["sync_yield_enter"] = threading.get_ident()
        yield
        threads["sync_yield_exit"] = threading.get_ident()

    async def async_dep() -> None:
        threads["loop"] = threading.get_ident()

    app = VeloxAPI()

    @app.get("/")
    def endpoint(
        _a: Annotated[None, Depends(async_dep)],
        _b: Annotated[None, Depends(sync_dep)],
        _c: Annotated[None, Depends(sync_yield_dep)],
    ) -> str:
        threads["endpoint"] = threading.get_ident()
        return "ok"

    assert TestClient(app).get("/").json() == "ok"
    loop = threads.pop("loop")
    assert set(threads) == {"sync_dep", "sync_yield_enter", "sync_yield_exit", "endpoint"}
    for name, ident in threads.items():
        assert ident != loop, f"{name} ran on the event loop thread"


def test_async_endpoint_runs_on_the_event_loop_thread() -> None:
    threads: dict[str, int] = {}

    async def async_dep() -> None:
        threads["dep"] = threading.get_ident()

    app = VeloxAPI()

    @app.get("/")
    async def endpoint(_: Annotated[None, Depends(async_dep)]) -> str:
        threads["endpoint"] = threading.get_ident()
        return "ok"

    TestClient(app).get("/")
    assert threads["dep"] == threads["endpoint"]


def test_decorator_dependency_and_parameter_dependency_share_the_cache() -> None:
    calls: list[str] = []

    def dep() -> str:
        calls.append("dep")
        return "value"

    app = VeloxAPI()

    @app.get("/", dependencies=[Depends(dep)])
    def endpoint(value: Annotated[str, Depends(dep)]) -> str:
        return value

    assert TestClient(app).get("/").json() == "value"
    assert calls == ["dep"]


def test_same_dependency_with_different_security_scopes_is_called_per_scope_set() -> None:
    calls: list[list[str]] = []

    def get_scopes(security_scopes: SecurityScopes) -> list[str]:
        calls.append(security_scopes.scopes)
        return security_scopes.scopes

    app = VeloxAPI()

    @app.get("/")
    def endpoint(
        a: Annotated[list[str], Security(get_scopes, scopes=["a"])],
        b: Annotated[list[str], Security(get_scopes, scopes=["b"])],
        again: Annotated[list[str], Security(get_scopes, scopes=["a"])],
    ) -> list[list[str]]:
        return [a, b, again]

    assert TestClient(app).get("/").json() == [["a"], ["b"], ["a"]]
    assert sorted(calls) == [["a"], ["b"]]


def test_errors_are_ordered_dependencies_then_path_query_header_cookie_body() -> None:
    def dep(x_dep: Annotated[str, Header()]) -> str:
        return x_dep

    app = VeloxAPI()

    @app.post("/items/{item_id}")
    def endpoint(
        item_id: int,
        payload: Annotated[dict[str, int], Body()],
        q: int,
        x_head: Annotated[str, Header()],
        sess: Annotated[str, Cookie()],
        d: Annotated[str, Depends(dep)],
    ) -> None:
        return None  # pragma: no cover

    response = TestClient(app).post("/items/x")
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["header", "x-dep"],
        ["path", "item_id"],
        ["query", "q"],
        ["header", "x-head"],
        ["cookie", "sess"],
        ["body"],
    ]


def test_class_dependency_can_be_overridden() -> None:
    class Settings:
        def __init__(self) -> None:
            self.name = "real"

    class FakeSettings(Settings):
        def __init__(self) -> None:
            self.name = "fake"

    app = VeloxAPI()

    @app.get("/")
    def endpoint(settings: Annotated[Settings, Depends()]) -> str:
        return settings.name

    client = TestClient(app)
    assert client.get("/").json() == "real"
    app.dependency_overrides[Settings] = FakeSettings
    assert client.get("/").json() == "fake"


def test_yield_dependency_cleanup_runs_when_a_later_dependency_fails() -> None:
    events: list[str] = []

    def resource() -> Iterator[str]:
        events.append("open")
        try:
            yield "r"
        finally:
            events.append("close")

    def failing(r: Annotated[str, Depends(resource)]) -> str:
        raise HTTPException(status_code=401, detail="nope")

    app = VeloxAPI()

    @app.get("/")
    def endpoint(v: Annotated[str, Depends(failing)]) -> str:
        return v  # pragma: no cover

    response = TestClient(app).get("/")
    assert response.status_code == 401
    assert events == ["open", "close"]


def test_yield_dependency_not_entered_when_validation_fails() -> None:
    events: list[str] = []

    def resource(limit: int) -> Iterator[int]:
        events.append("open")
        yield limit
        events.append("close")

    app = VeloxAPI()

    @app.get("/")
    def endpoint(v: Annotated[int, Depends(resource)]) -> int:
        return v

    client = TestClient(app)
    assert client.get("/?limit=x").status_code == 422
    assert events == []
    assert client.get("/?limit=3").json() == 3
    assert events == ["open", "close"]


def test_sync_endpoints_of_concurrent_requests_run_in_parallel_threads() -> None:
    import asyncio

    import httpx

    barrier = threading.Barrier(2, timeout=5)

    def meet() -> str:
        barrier.wait()  # both requests must be inside a sync dependency at the same time
        return "met"

    app = VeloxAPI()

    @app.get("/sync")
    def sync_endpoint(value: Annotated[str, Depends(meet)]) -> str:
        return value

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            responses = await asyncio.gather(client.get("/sync"), client.get("/sync"))
        return [r.status_code for r in responses]

    assert asyncio.run(run()) == [200, 200]


class _Note(BaseModel):
    text: str


def test_body_params_of_dependencies_are_merged_into_one_embedded_body() -> None:
    def note_dep(note: _Note) -> str:
        return note.text

    app = VeloxAPI()

    @app.post("/merged")
    def merged(
        text: Annotated[str, Depends(note_dep)], count: Annotated[int, Body()]
    ) -> dict[str, Any]:
        return {"text": text, "count": count}

    client = TestClient(app)
    response = client.post("/merged", json={"note": {"text": "hi"}, "count": 2})
    assert response.json() == {"text": "hi", "count": 2}
    response = client.post("/merged", json={"note": {"text": "hi"}})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "missing",
            "loc": ["body", "count"],
            "msg": "Field required",
            "input": None,
        }
    ]


def test_single_body_param_in_a_dependency_is_not_embedded() -> None:
    def note_dep(note: _Note) -> str:
        return note.text

    app = VeloxAPI()

    @app.post("/single")
    def single(text: Annotated[str, Depends(note_dep)]) -> str:
        return text

    assert TestClient(app).post("/single", json={"text": "plain"}).json() == "plain"


def test_body_param_shared_by_name_between_dependency_and_endpoint() -> None:
    def note_dep(note: _Note) -> str:
        return note.text.upper()

    app = VeloxAPI()

    @app.post("/shared")
    def shared(upper: Annotated[str, Depends(note_dep)], note: _Note) -> list[str]:
        return [upper, note.text]

    assert TestClient(app).post("/shared", json={"text": "a"}).json() == ["A", "a"]


def test_form_params_in_a_dependency() -> None:
    def credentials(
        username: Annotated[str, Form()], password: Annotated[str, Form()]
    ) -> tuple[str, str]:
        return username, password

    app = VeloxAPI()

    @app.post("/login")
    def login(creds: Annotated[tuple[str, str], Depends(credentials)]) -> list[str]:
        return list(creds)

    client = TestClient(app)
    assert client.post("/login", data={"username": "u", "password": "p"}).json() == ["u", "p"]
    response = client.post("/login", data={"username": "u"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]


def test_entered_yield_dependencies_clean_up_when_a_later_one_fails_before_yield() -> None:
    events: list[str] = []

    def first() -> Iterator[None]:
        events.append("first open")
        try:
            yield
        finally:
            events.append("first close")

    def second(_: Annotated[None, Depends(first)]) -> Iterator[None]:
        raise HTTPException(status_code=503, detail="unavailable")
        yield  # pragma: no cover

    app = VeloxAPI()

    @app.get("/")
    def endpoint(_: Annotated[None, Depends(second)]) -> str:
        return "never"  # pragma: no cover

    response = TestClient(app).get("/")
    assert response.status_code == 503
    assert response.json() == {"detail": "unavailable"}
    assert events == ["first open", "first close"]


class _AsyncCallable:
    def __init__(self, value: str) -> None:
        self.value = value

    async def __call__(self, q: str = "") -> str:
        return self.value + q


class _GeneratorCallable:
    def __init__(self, events: list[str]) -> None:
        self.events = events

    def __call__(self) -> Iterator[str]:
        self.events.append("enter")
        yield "gen"
        self.events.append("exit")


class _AsyncGeneratorCallable:
    def __init__(self, events: list[str]) -> None:
        self.events = events

    async def __call__(self) -> AsyncIterator[str]:
        self.events.append("async enter")
        yield "agen"
        self.events.append("async exit")


def test_callable_instances_of_every_kind_are_called_correctly() -> None:
    events: list[str] = []
    app = VeloxAPI()

    @app.get("/")
    def endpoint(
        a: Annotated[str, Depends(_AsyncCallable("async"))],
        g: Annotated[str, Depends(_GeneratorCallable(events))],
        ag: Annotated[str, Depends(_AsyncGeneratorCallable(events))],
    ) -> list[str]:
        return [a, g, ag]

    assert TestClient(app).get("/?q=!").json() == ["async!", "gen", "agen"]
    assert events == ["enter", "async enter", "async exit", "exit"]


def test_partial_functions_as_dependencies_and_endpoints() -> None:
    import functools

    async def scaled(factor: int, value: int = 1) -> int:
        return factor * value

    def sync_scaled(factor: int, value: int = 1) -> int:
        return factor * value

    async def endpoint(prefix: str, result: int) -> str:
        return f"{prefix}{result}"

    app = VeloxAPI()

    @app.get("/dep")
    def dep_route(
        a: Annotated[int, Depends(functools.partial(scaled, 10))],
        b: Annotated[int, Depends(functools.partial(sync_scaled, 100))],
    ) -> list[int]:
        return [a, b]

    app.add_api_route("/endpoint", functools.partial(endpoint, "n="), methods=["GET"])
    client = TestClient(app)
    assert client.get("/dep?value=3").json() == [30, 300]
    assert client.get("/endpoint?result=5").json() == "n=5"
