"""Routing: methods, typed path parameters, 404/405, slash redirects, routers, mounts, order."""

from __future__ import annotations

import uuid
import warnings
from enum import StrEnum
from typing import Any

import pytest

from veloxapi import APIRouter, Depends, HTTPException, Request, VeloxAPI, WebSocket
from veloxapi.testclient import TestClient

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


class Color(StrEnum):
    red = "red"
    blue = "blue"


@pytest.mark.parametrize("method", METHODS)
def test_every_method_decorator_serves_its_method(method: str) -> None:
    app = VeloxAPI()
    register = getattr(app, method.lower())

    @register("/thing")
    def endpoint() -> dict[str, str]:
        return {"method": method}

    client = TestClient(app)
    response = client.request(method, "/thing")
    assert response.status_code == 200
    assert response.json() == {"method": method}


def test_head_decorator_answers_without_body() -> None:
    app = VeloxAPI()

    @app.head("/thing")
    def endpoint() -> dict[str, str]:
        return {"hello": "world"}

    response = TestClient(app).head("/thing")
    assert response.status_code == 200
    assert response.content == b""


def test_api_route_with_several_methods() -> None:
    app = VeloxAPI()

    @app.api_route("/multi", methods=["GET", "POST"])
    def endpoint(request: Request) -> dict[str, str]:
        return {"method": request.method}

    client = TestClient(app)
    assert client.get("/multi").json() == {"method": "GET"}
    assert client.post("/multi").json() == {"method": "POST"}
    assert client.put("/multi").status_code == 405


def test_add_api_route_without_decorator() -> None:
    app = VeloxAPI()

    def endpoint() -> str:
        return "plain"

    app.add_api_route("/plain", endpoint, methods=["PUT"])
    assert TestClient(app).put("/plain").json() == "plain"


@pytest.fixture(scope="module")
def typed_client() -> TestClient:
    app = VeloxAPI()

    @app.get("/int/{value}")
    def as_int(value: int) -> dict[str, object]:
        return {"value": value, "type": type(value).__name__}

    @app.get("/float/{value}")
    def as_float(value: float) -> dict[str, object]:
        return {"value": value, "type": type(value).__name__}

    @app.get("/uuid/{value}")
    def as_uuid(value: uuid.UUID) -> dict[str, object]:
        return {"value": str(value), "type": type(value).__name__}

    @app.get("/enum/{value}")
    def as_enum(value: Color) -> dict[str, object]:
        return {"value": value.value, "is_enum": isinstance(value, Color)}

    @app.get("/bool/{value}")
    def as_bool(value: bool) -> dict[str, object]:
        return {"value": value}

    @app.get("/files/{file_path:path}")
    def as_path(file_path: str) -> dict[str, str]:
        return {"file_path": file_path}

    @app.get("/conv/{number:int}")
    def converted(number: int) -> dict[str, object]:
        return {"number": number}

    return TestClient(app)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/int/42", {"value": 42, "type": "int"}),
        ("/int/-3", {"value": -3, "type": "int"}),
        ("/float/1.5", {"value": 1.5, "type": "float"}),
        ("/float/2", {"value": 2.0, "type": "float"}),
        (
            "/uuid/12345678-1234-5678-1234-567812345678",
            {"value": "12345678-1234-5678-1234-567812345678", "type": "UUID"},
        ),
        ("/enum/red", {"value": "red", "is_enum": True}),
        ("/bool/true", {"value": True}),
        ("/bool/0", {"value": False}),
        ("/files/a/b/c.txt", {"file_path": "a/b/c.txt"}),
        ("/conv/7", {"number": 7}),
    ],
)
def test_typed_path_params_are_converted(
    typed_client: TestClient, url: str, expected: dict[str, object]
) -> None:
    response = typed_client.get(url)
    assert response.status_code == 200
    assert response.json() == expected


def test_bad_int_path_param_is_422_with_exact_error(typed_client: TestClient) -> None:
    response = typed_client.get("/int/abc")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["path", "value"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "abc",
            }
        ]
    }


def test_bad_enum_path_param_lists_allowed_values(typed_client: TestClient) -> None:
    response = typed_client.get("/enum/green")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "enum",
                "loc": ["path", "value"],
                "msg": "Input should be 'red' or 'blue'",
                "input": "green",
                "ctx": {"expected": "'red' or 'blue'"},
            }
        ]
    }


def test_path_converter_that_does_not_match_is_404(typed_client: TestClient) -> None:
    response = typed_client.get("/conv/seven")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_unknown_path_is_404_with_detail() -> None:
    app = VeloxAPI()
    response = TestClient(app).get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_wrong_method_is_405_with_allow_header() -> None:
    app = VeloxAPI()

    @app.get("/item")
    def read() -> str:
        return "read"

    @app.delete("/item")
    def remove() -> str:
        return "removed"

    response = TestClient(app).post("/item")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
    # Allow names every method of the path (Starlette and FastAPI name the first route's)
    assert response.headers["allow"] == "DELETE, GET"
    assert TestClient(app).delete("/item").json() == "removed"


def test_wrong_method_on_parameterised_path_is_405() -> None:
    app = VeloxAPI()

    @app.get("/items/{item_id}")
    def read(item_id: int) -> int:
        return item_id

    response = TestClient(app).put("/items/3")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def test_trailing_slash_redirects_to_the_registered_path() -> None:
    app = VeloxAPI()

    @app.get("/items")
    def items() -> list[int]:
        return [1]

    @app.get("/folder/")
    def folder() -> str:
        return "folder"

    client = TestClient(app, follow_redirects=False)
    response = client.get("/items/?page=2")
    assert response.status_code == 307
    assert response.headers["location"] == "http://testserver/items?page=2"
    response = client.get("/folder")
    assert response.status_code == 307
    assert response.headers["location"] == "http://testserver/folder/"
    assert TestClient(app).get("/items/").json() == [1]


def test_redirect_slashes_disabled_gives_404() -> None:
    app = VeloxAPI(redirect_slashes=False)

    @app.get("/items")
    def items() -> list[int]:
        return [1]

    response = TestClient(app, follow_redirects=False).get("/items/")
    assert response.status_code == 404


def test_include_router_with_prefix_tags_dependencies_and_responses() -> None:
    calls: list[str] = []

    def router_dep() -> None:
        calls.append("router")

    def include_dep() -> None:
        calls.append("include")

    router = APIRouter(prefix="/users", tags=["users"], dependencies=[Depends(router_dep)])

    @router.get("/{user_id}", responses={404: {"description": "No such user"}})
    def get_user(user_id: int) -> dict[str, int]:
        return {"user_id": user_id}

    app = VeloxAPI()
    app.include_router(
        router,
        prefix="/v1",
        tags=["v1"],
        dependencies=[Depends(include_dep)],
        responses={418: {"description": "Teapot"}},
    )
    client = TestClient(app)
    response = client.get("/v1/users/5")
    assert response.status_code == 200
    assert response.json() == {"user_id": 5}
    assert calls == ["include", "router"]
    assert client.get("/users/5").status_code == 404

    operation = client.get("/openapi.json").json()["paths"]["/v1/users/{user_id}"]["get"]
    assert operation["tags"] == ["v1", "users"]
    assert operation["responses"]["404"]["description"] == "No such user"
    assert operation["responses"]["418"]["description"] == "Teapot"


def test_nested_routers_combine_prefixes_and_dependencies() -> None:
    order: list[str] = []

    def outer_dep() -> None:
        order.append("outer")

    def inner_dep() -> None:
        order.append("inner")

    inner = APIRouter(prefix="/inner", dependencies=[Depends(inner_dep)])

    @inner.get("/leaf")
    def leaf() -> str:
        order.append("endpoint")
        return "leaf"

    outer = APIRouter(prefix="/outer", dependencies=[Depends(outer_dep)])
    outer.include_router(inner)
    app = VeloxAPI()
    app.include_router(outer, prefix="/api")

    response = TestClient(app).get("/api/outer/inner/leaf")
    assert response.status_code == 200
    assert response.json() == "leaf"
    assert order == ["outer", "inner", "endpoint"]


def test_router_dependency_can_reject_the_request() -> None:
    def guard() -> None:
        raise HTTPException(status_code=403, detail="Forbidden by router")

    router = APIRouter(dependencies=[Depends(guard)])

    @router.get("/secret")
    def secret() -> str:
        return "secret"

    app = VeloxAPI()
    app.include_router(router)
    response = TestClient(app).get("/secret")
    assert response.status_code == 403
    assert response.json() == {"detail": "Forbidden by router"}


def test_include_router_prefix_must_be_well_formed() -> None:
    app = VeloxAPI()
    with pytest.raises(AssertionError, match="start with '/'"):
        app.include_router(APIRouter(), prefix="api")
    with pytest.raises(AssertionError, match="end with '/'"):
        app.include_router(APIRouter(), prefix="/api/")


def test_mounted_sub_application() -> None:
    sub = VeloxAPI()

    @sub.get("/hello")
    def hello(request: Request) -> dict[str, str]:
        return {"root_path": request.scope.get("root_path", ""), "url": str(request.url)}

    app = VeloxAPI()
    app.mount("/sub", sub)
    client = TestClient(app)
    response = client.get("/sub/hello")
    assert response.status_code == 200
    assert response.json() == {"root_path": "/sub", "url": "http://testserver/sub/hello"}
    assert client.get("/hello").status_code == 404


def test_url_path_for_named_routes_and_mounts() -> None:
    app = VeloxAPI()

    @app.get("/items/{item_id}", name="item")
    def item(item_id: int) -> int:
        return item_id

    @app.get("/users/{user_id}")
    def read_user(user_id: str) -> str:
        return user_id

    sub = VeloxAPI()

    @sub.get("/ping", name="ping")
    def ping() -> str:
        return "pong"

    app.mount("/sub", sub, name="subapp")

    assert app.url_path_for("item", item_id=3) == "/items/3"
    assert app.url_path_for("read_user", user_id="ann") == "/users/ann"
    assert app.url_path_for("subapp:ping") == "/sub/ping"


def test_url_for_from_request() -> None:
    app = VeloxAPI()

    @app.get("/items/{item_id}", name="item")
    def item(item_id: int, request: Request) -> str:
        return str(request.url_for("item", item_id=item_id + 1))

    assert TestClient(app).get("/items/1").json() == "http://testserver/items/2"


def test_first_registered_matching_route_wins() -> None:
    app = VeloxAPI()

    @app.get("/users/{name}")
    def by_name(name: str) -> dict[str, str]:
        return {"route": "param", "name": name}

    @app.get("/users/me")
    def me() -> dict[str, str]:
        return {"route": "me"}

    assert TestClient(app).get("/users/me").json() == {"route": "param", "name": "me"}


def test_static_route_registered_first_wins() -> None:
    app = VeloxAPI()

    @app.get("/users/me")
    def me() -> dict[str, str]:
        return {"route": "me"}

    @app.get("/users/{name}")
    def by_name(name: str) -> dict[str, str]:
        return {"route": "param", "name": name}

    client = TestClient(app)
    assert client.get("/users/me").json() == {"route": "me"}
    assert client.get("/users/bob").json() == {"route": "param", "name": "bob"}


def test_earlier_parameter_route_of_another_method_leaves_the_static_route_its_path() -> None:
    app = VeloxAPI()

    @app.post("/users/{name}")
    def rename(name: str) -> dict[str, str]:
        return {"route": "param", "name": name}

    @app.get("/users/me")
    def me() -> dict[str, str]:
        return {"route": "me"}

    @app.get("/users/{name}")
    def by_name(name: str) -> dict[str, str]:
        return {"route": "late param", "name": name}

    client = TestClient(app)
    assert client.get("/users/me").json() == {"route": "me"}
    assert client.post("/users/me").json() == {"route": "param", "name": "me"}
    assert client.get("/users/bob").json() == {"route": "late param", "name": "bob"}


def test_same_path_different_methods_reach_their_own_endpoint() -> None:
    app = VeloxAPI()

    @app.get("/r/{x}")
    def get_x(x: int) -> str:
        return f"get {x}"

    @app.post("/r/{x}")
    def post_x(x: int) -> str:
        return f"post {x}"

    client = TestClient(app)
    assert client.get("/r/1").json() == "get 1"
    assert client.post("/r/2").json() == "post 2"


def test_mount_registered_before_a_route_wins_for_its_prefix() -> None:
    sub = VeloxAPI()

    @sub.get("/x")
    def sub_x() -> str:
        return "mounted"

    app = VeloxAPI()
    app.mount("/m", sub)

    @app.get("/m/x")
    def shadowed() -> str:
        return "route"

    assert TestClient(app).get("/m/x").json() == "mounted"


def test_routes_added_after_the_first_request_are_found() -> None:
    app = VeloxAPI()

    @app.get("/first")
    def first() -> str:
        return "first"

    client = TestClient(app)
    assert client.get("/first").json() == "first"
    assert client.get("/later/1").status_code == 404

    @app.get("/later/{n}")
    def later(n: int) -> int:
        return n

    @app.get("/static-later")
    def static_later() -> str:
        return "static"

    router = APIRouter()

    @router.get("/from-router")
    def from_router() -> str:
        return "router"

    app.include_router(router)
    assert client.get("/later/1").json() == 1
    assert client.get("/static-later").json() == "static"
    assert client.get("/from-router").json() == "router"


def test_route_replaced_in_place_is_found() -> None:
    app = VeloxAPI()

    @app.get("/a")
    def a() -> str:
        return "a"

    @app.get("/b")
    def b() -> str:
        return "b"

    client = TestClient(app)
    assert client.get("/b").json() == "b"
    removed = app.router.routes.pop()
    app.router.routes.pop()
    app.router.routes.append(removed)
    assert client.get("/a").status_code == 404
    assert client.get("/b").json() == "b"


def test_starlette_style_route_decorator() -> None:
    from starlette.responses import PlainTextResponse

    app = VeloxAPI()

    @app.route("/raw", methods=["GET"])
    async def raw(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"raw {request.url.path}")

    assert TestClient(app).get("/raw").text == "raw /raw"


def test_path_param_with_percent_encoding_is_decoded() -> None:
    app = VeloxAPI()

    @app.get("/names/{name}")
    def name(name: str) -> str:
        return name

    assert TestClient(app).get("/names/a%20b").json() == "a b"


def test_route_replaced_in_the_middle_of_the_list_is_served() -> None:
    from veloxapi.routing import APIRoute

    app = VeloxAPI()

    @app.get("/a")
    def old() -> str:
        return "old"

    @app.get("/z")
    def z() -> str:
        return "z"

    client = TestClient(app)
    assert client.get("/a").json() == "old"
    routes = app.router.routes
    position = next(i for i, r in enumerate(routes) if getattr(r, "path", None) == "/a")

    def new() -> str:
        return "new"

    routes[position] = APIRoute("/a", new, methods=["GET"])
    assert client.get("/a").json() == "new"


def test_routes_reordered_in_place_follow_the_new_order() -> None:
    app = VeloxAPI()

    @app.get("/users/{name}")
    def by_name(name: str) -> str:
        return "param"

    @app.get("/users/me")
    def me() -> str:
        return "me"

    @app.get("/last")
    def last() -> str:
        return "last"

    client = TestClient(app)
    assert client.get("/users/me").json() == "param"
    routes = app.router.routes
    i = next(k for k, r in enumerate(routes) if getattr(r, "path", None) == "/users/{name}")
    j = next(k for k, r in enumerate(routes) if getattr(r, "path", None) == "/users/me")
    routes[i], routes[j] = routes[j], routes[i]
    assert client.get("/users/me").json() == "me"


def test_head_on_a_get_only_route_is_405_like_fastapi() -> None:
    app = VeloxAPI()

    @app.get("/only-get")
    def only_get() -> str:
        return "x"

    response = TestClient(app).head("/only-get")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def test_slash_redirect_keeps_the_method_and_body() -> None:
    app = VeloxAPI()

    @app.post("/items")
    def create(payload: dict[str, int]) -> dict[str, int]:
        return payload

    client = TestClient(app)
    response = client.post("/items/", json={"a": 1}, follow_redirects=False)
    assert response.status_code == 307
    assert client.post("/items/", json={"a": 1}).json() == {"a": 1}


def test_root_path_is_used_for_urls_and_stripped_for_matching() -> None:
    with warnings.catch_warnings():  # setting root_path on the app may be deprecated
        warnings.simplefilter("ignore")
        app = VeloxAPI(root_path="/api/v1")

    @app.get("/items/{item_id}", name="item")
    def item(item_id: int, request: Request) -> dict[str, str]:
        return {
            "root_path": request.scope["root_path"],
            "url_for": str(request.url_for("item", item_id=item_id)),
        }

    client = TestClient(app)
    expected = {
        "root_path": "/api/v1",
        "url_for": "http://testserver/api/v1/items/1",
    }
    assert client.get("/items/1").json() == expected
    assert client.get("/api/v1/items/1").json() == expected


def test_same_router_included_twice_under_different_prefixes() -> None:
    calls: list[str] = []

    def dep(request: Request) -> None:
        calls.append(request.url.path)

    router = APIRouter()

    @router.get("/ping")
    def ping(request: Request) -> str:
        return request.url.path

    app = VeloxAPI()
    app.include_router(router, prefix="/a", dependencies=[Depends(dep)])
    app.include_router(router, prefix="/b")
    client = TestClient(app)
    assert client.get("/a/ping").json() == "/a/ping"
    assert client.get("/b/ping").json() == "/b/ping"
    assert calls == ["/a/ping"]


def test_http_middleware_wraps_routes_and_may_read_the_body() -> None:
    app = VeloxAPI()
    seen: list[bytes] = []

    @app.middleware("http")
    async def add_header(request: Request, call_next: Any) -> Any:
        seen.append(await request.body())
        response = await call_next(request)
        response.headers["X-Process"] = "done"
        return response

    @app.post("/echo")
    async def echo(payload: dict[str, int], request: Request) -> dict[str, Any]:
        return {"payload": payload, "raw": (await request.json())}

    response = TestClient(app).post("/echo", json={"a": 1})
    assert response.status_code == 200
    assert response.json() == {"payload": {"a": 1}, "raw": {"a": 1}}
    assert response.headers["x-process"] == "done"
    assert seen == [b'{"a":1}']


def test_middleware_decorator_rejects_unknown_types() -> None:
    app = VeloxAPI()
    with pytest.raises(ValueError, match="'websocket'"):
        app.middleware("websocket")


def test_http_and_websocket_routes_on_the_same_path() -> None:
    app = VeloxAPI()

    @app.get("/live")
    def live_http() -> str:
        return "http"

    @app.websocket("/live")
    async def live_ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("ws")
        await websocket.close()

    client = TestClient(app)
    assert client.get("/live").json() == "http"
    with client.websocket_connect("/live") as ws:
        assert ws.receive_text() == "ws"


def test_mount_at_root_only_catches_what_earlier_routes_did_not() -> None:
    from starlette.responses import PlainTextResponse
    from starlette.types import Receive, Scope, Send

    async def fallback(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse(f"fallback {scope['path']}")(scope, receive, send)

    app = VeloxAPI()

    @app.get("/api/items/{item_id}")
    def item(item_id: int) -> int:
        return item_id

    app.mount("/", fallback)
    client = TestClient(app)
    assert client.get("/api/items/3").json() == 3
    assert client.get("/index.html").text == "fallback /index.html"


def test_mount_at_root_registered_first_shadows_later_routes() -> None:
    from starlette.responses import PlainTextResponse
    from starlette.types import Receive, Scope, Send

    async def fallback(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("fallback")(scope, receive, send)

    app = VeloxAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/", fallback)

    @app.get("/api/items/{item_id}")
    def item(item_id: int) -> int:
        return item_id  # pragma: no cover

    assert TestClient(app).get("/api/items/3").text == "fallback"


def test_first_match_order_holds_across_literal_and_parameter_first_segments() -> None:
    app = VeloxAPI()

    @app.get("/{section}/a")
    def by_section(section: str) -> str:
        return f"section {section}"

    @app.get("/items/{item_id}")
    def by_item(item_id: str) -> str:
        return f"item {item_id}"

    @app.get("/items/{item_id}/detail")
    def detail(item_id: int) -> str:
        return f"detail {item_id}"

    client = TestClient(app)
    assert client.get("/items/a").json() == "section items"  # registered first, still wins
    assert client.get("/items/b").json() == "item b"
    assert client.get("/items/3/detail").json() == "detail 3"
    assert client.get("/other/b").status_code == 404


def test_a_patched_router_call_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Instrumentation that wraps the router class's ``__call__`` sees every request,
    though an unpatched router is entered without that extra call."""
    from veloxapi.routing import APIRouter

    seen: list[str] = []
    original = APIRouter.__call__

    async def wrapped(self: APIRouter, scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["path"])
        await original(self, scope, receive, send)

    app = VeloxAPI()

    @app.get("/plain")
    def plain() -> dict[str, str]:
        return {"ok": "yes"}

    monkeypatch.setattr(APIRouter, "__call__", wrapped)
    assert TestClient(app).get("/plain").json() == {"ok": "yes"}
    assert seen == ["/plain"]
