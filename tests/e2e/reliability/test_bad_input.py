"""Bad client input against a real uvicorn server: the exact answers, FastAPI's bodies.

Each test starts the app under uvicorn on a loopback port (``live_server`` from
tests/conftest.py), sends something broken over httpx or a raw socket, checks
the answer is the 4xx FastAPI gives, body included (or, where the input is
merely odd, a correct 200), and then checks that the server still answers a
normal request. The hostile-input matrix (``test_matrix.py``) sends the
harsher cases (protocol garbage, floods, deep JSON, broken multipart and
WebSocket frames, stalled bodies, disconnects) in every configuration and
checks the invariants; this module pins the precise answers in the plain one.
Every socket has a timeout and every test a pytest-timeout limit.
"""

import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

import httpx
import pytest
from pydantic import BaseModel
from reliability_wire import SOCKET_TIMEOUT, raw_exchange, request_bytes
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi import Body, Form, Query, VeloxAPI

pytestmark = pytest.mark.timeout(30)

PARSE_ERROR = {"detail": "There was an error parsing the body"}
LiveServer = Callable[..., str]


class Item(BaseModel):
    name: str
    price: float


class Recorder:
    """Pure ASGI wrapper noting the status the app started each response with, and any
    exception escaping the app (what the client may never see if it has gone)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.statuses: dict[str, list[int]] = {}
        self.errors: list[BaseException] = []
        self.finished = threading.Event()
        self.active = 0

    def wait_idle(self, timeout: float = SOCKET_TIMEOUT) -> None:
        """Wait (bounded) until no request is inside the app any more."""
        deadline = time.monotonic() + timeout
        while self.active and time.monotonic() < deadline:
            time.sleep(0.01)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.statuses.setdefault(path, []).append(message["status"])
            await send(message)

        self.active += 1
        try:
            await self.app(scope, receive, recording_send)
        except BaseException as exc:
            self.errors.append(exc)
            raise
        finally:
            self.active -= 1
            if path != "/ping":
                self.finished.set()


def build_app() -> VeloxAPI:
    app = VeloxAPI()

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"ping": "pong"}

    @app.post("/items")
    async def create(item: Item) -> Item:
        return item

    @app.post("/data")
    async def data(payload: Annotated[dict[str, Any], Body()]) -> dict[str, int]:
        return {"keys": len(payload)}

    @app.get("/echo")
    async def echo(
        q: Annotated[str, Query(max_length=50)] = "",
        n: Annotated[int, Query(le=1000)] = 0,
    ) -> dict[str, Any]:
        return {"q": q, "n": n}

    @app.get("/names/{name}")
    async def name(name: str) -> dict[str, str]:
        return {"name": name}

    @app.get("/header")
    async def header(x_thing: Annotated[str, Query(alias="unused")] = "") -> dict[str, str]:
        return {"ok": "yes"}

    @app.post("/bounded")
    async def bounded(count: Annotated[int, Body(embed=True, le=1000)]) -> dict[str, int]:
        return {"count": count}

    @app.post("/form")
    async def form(name: Annotated[str, Form()]) -> dict[str, str]:
        return {"name": name}

    return app


@pytest.fixture
def server(live_server: LiveServer) -> tuple[str, Recorder]:
    recorder = Recorder(build_app())
    base = live_server(recorder, timeout_keep_alive=2, timeout_graceful_shutdown=2)
    return base, recorder


def assert_still_serving(base: str) -> None:
    response = httpx.get(f"{base}/ping", timeout=SOCKET_TIMEOUT)
    assert response.status_code == 200
    assert response.json() == {"ping": "pong"}


def address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def exchange(base: str, payload: bytes) -> tuple[int, bytes]:
    """Send raw bytes; the status and body the server answered (there must be one)."""
    outcome = raw_exchange(address(base), payload)
    assert outcome.status is not None, outcome.note
    return outcome.status, outcome.body


# -- JSON bodies -------------------------------------------------------------------------


def test_malformed_json_is_422_json_invalid(server: tuple[str, Recorder]) -> None:
    base, _ = server
    response = httpx.post(
        f"{base}/items",
        content=b'{"name": "x", "price": ',
        headers={"Content-Type": "application/json"},
        timeout=SOCKET_TIMEOUT,
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "json_invalid",
                "loc": ["body", 23],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": "Expecting value"},
            }
        ]
    }
    assert_still_serving(base)


def test_wrong_content_type_is_422(server: tuple[str, Recorder]) -> None:
    base, _ = server
    response = httpx.post(
        f"{base}/items",
        content=b'{"name": "x", "price": 1}',
        headers={"Content-Type": "text/plain"},
        timeout=SOCKET_TIMEOUT,
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert len(detail) == 1
    assert detail[0]["loc"] == ["body"]
    assert detail[0]["type"] == "model_attributes_type"
    assert_still_serving(base)


def test_json_body_without_content_type_is_422(server: tuple[str, Recorder]) -> None:
    base, _ = server
    status, body = exchange(
        base,
        request_bytes("POST", b"/items", {"Content-Length": "25"}, b'{"name": "x", "price": 1}'),
    )
    assert status == 422
    assert json.loads(body)["detail"][0]["loc"] == ["body"]
    assert_still_serving(base)


def test_invalid_utf8_in_json_body_is_400(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    response = httpx.post(
        f"{base}/items",
        content=b'{"name": "\xff\xfe", "price": 1}',
        headers={"Content-Type": "application/json"},
        timeout=SOCKET_TIMEOUT,
    )
    assert response.status_code == 400
    assert response.json() == PARSE_ERROR
    recorder.wait_idle()
    assert recorder.errors == []
    assert_still_serving(base)


def test_json_body_that_is_not_an_object(server: tuple[str, Recorder]) -> None:
    base, _ = server
    response = httpx.post(f"{base}/items", json=[1, 2], timeout=SOCKET_TIMEOUT)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "model_attributes_type"
    assert_still_serving(base)


def test_nesting_up_to_the_hardened_depth_is_accepted(server: tuple[str, Recorder]) -> None:
    base, _ = server
    depth = 127  # and the object around it: 128 levels, the hardened max_json_depth
    body = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"
    response = httpx.post(
        f"{base}/data", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == {"keys": 1}


def test_nesting_past_the_hardened_depth_is_422(server: tuple[str, Recorder]) -> None:
    base, _ = server
    depth = 128
    body = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"
    response = httpx.post(
        f"{base}/data", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["type"] == "json_too_deep"
    assert error["loc"] == ["body"]
    assert error["ctx"] == {"max_depth": 128}
    assert_still_serving(base)


def test_large_integer_over_constraint_is_422(server: tuple[str, Recorder]) -> None:
    base, _ = server
    response = httpx.post(f"{base}/bounded", json={"count": 10**30}, timeout=SOCKET_TIMEOUT)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["type"] == "less_than_equal"
    assert error["loc"] == ["body", "count"]
    assert error["ctx"] == {"le": 1000}


def test_non_finite_number_in_json_body_is_422(server: tuple[str, Recorder]) -> None:
    base, _ = server
    response = httpx.post(
        f"{base}/bounded",
        content=b'{"count": Infinity}',
        headers={"Content-Type": "application/json"},
        timeout=SOCKET_TIMEOUT,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "count"]
    assert_still_serving(base)


# -- query, path, headers ----------------------------------------------------------------


def test_over_long_query_value_is_422(server: tuple[str, Recorder]) -> None:
    base, _ = server
    value = "x" * 10_000
    response = httpx.get(f"{base}/echo", params={"q": value}, timeout=SOCKET_TIMEOUT)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_long",
                "loc": ["query", "q"],
                "msg": "String should have at most 50 characters",
                "input": value,
                "ctx": {"max_length": 50},
            }
        ]
    }
    assert_still_serving(base)


def test_huge_number_in_query_is_422(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    for value in ("9" * 5000, "1e400", "1" + "0" * 100, "NaN", "inf"):
        response = httpx.get(f"{base}/echo", params={"n": value}, timeout=SOCKET_TIMEOUT)
        assert response.status_code == 422, value
        assert response.json()["detail"][0]["loc"] == ["query", "n"]
    recorder.wait_idle()
    assert recorder.errors == []
    assert_still_serving(base)


def test_percent_encoded_invalid_utf8_in_query_is_replaced(server: tuple[str, Recorder]) -> None:
    base, _ = server
    response = httpx.get(f"{base}/echo?q=%FF%FEok", timeout=SOCKET_TIMEOUT)
    assert response.status_code == 200
    assert response.json() == {"q": "\ufffd\ufffdok", "n": 0}


def test_raw_invalid_utf8_in_query_does_not_break_the_server(
    server: tuple[str, Recorder],
) -> None:
    base, recorder = server
    status, body = exchange(base, request_bytes("GET", b"/echo?q=\xff\xfe", {}))
    assert status in (200, 400)
    if status == 200:
        assert json.loads(body)["n"] == 0
    recorder.wait_idle()
    assert recorder.errors == []
    assert_still_serving(base)


def test_invalid_utf8_in_path(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    response = httpx.get(f"{base}/names/%FF", timeout=SOCKET_TIMEOUT)
    assert response.status_code == 200
    assert response.json() == {"name": "\ufffd"}
    status, _ = exchange(base, request_bytes("GET", b"/names/\xff", {}))
    assert status in (200, 400, 404)
    recorder.wait_idle()
    assert recorder.errors == []
    assert_still_serving(base)


def test_invalid_utf8_in_header_value(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    status, body = exchange(base, request_bytes("GET", b"/ping", {"X-Thing": "\xff\xfe"}))
    assert status == 200
    assert json.loads(body) == {"ping": "pong"}
    recorder.wait_idle()
    assert recorder.errors == []


def test_invalid_utf8_in_cookie_and_json_header_param(live_server: LiveServer) -> None:
    from veloxapi import Cookie, Header

    app = VeloxAPI()

    @app.get("/h")
    async def h(
        x_token: Annotated[str, Header(max_length=10)],
        session: Annotated[str | None, Cookie()] = None,
    ) -> dict[str, Any]:
        return {"token_length": len(x_token), "session": session}

    recorder = Recorder(app)
    base = live_server(recorder)
    status, body = exchange(
        base, request_bytes("GET", b"/h", {"X-Token": "\xff\xfe", "Cookie": "session=\xff"})
    )
    assert status == 200
    assert json.loads(body)["token_length"] == 2
    status, body = exchange(base, request_bytes("GET", b"/h", {"X-Token": "\xff" * 20}))
    assert status == 422
    assert json.loads(body)["detail"][0]["type"] == "string_too_long"
    recorder.wait_idle()
    assert recorder.errors == []


# -- multipart ---------------------------------------------------------------------------


def test_truncated_multipart_drops_the_unfinished_part(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    body = b'--abc\r\nContent-Disposition: form-data; name="name"\r\n\r\nval'
    response = httpx.post(
        f"{base}/form",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=abc"},
        timeout=SOCKET_TIMEOUT,
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", "name"], "msg": "Field required", "input": None}
        ]
    }
    recorder.wait_idle()
    assert recorder.errors == []
    assert_still_serving(base)


def test_form_endpoint_with_json_body_is_422(server: tuple[str, Recorder]) -> None:
    base, _ = server
    response = httpx.post(f"{base}/form", json={"name": "x"}, timeout=SOCKET_TIMEOUT)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


# -- bodies that end early or never -------------------------------------------------------


def test_stalled_body_does_not_block_other_requests(server: tuple[str, Recorder]) -> None:
    base, _ = server
    with socket.create_connection(address(base), timeout=SOCKET_TIMEOUT) as stalled:
        stalled.sendall(
            request_bytes(
                "POST",
                b"/items",
                {"Content-Type": "application/json", "Content-Length": "1000"},
                b'{"name": "',
            )
        )
        for _ in range(3):
            assert_still_serving(base)
        response = httpx.post(f"{base}/items", json={"name": "n", "price": 1})
        assert response.json() == {"name": "n", "price": 1.0}
    assert_still_serving(base)


def test_body_over_max_body_size_is_413(live_server: LiveServer) -> None:
    app = build_app()
    app.max_body_size = 1000
    recorder = Recorder(app)
    base = live_server(recorder)
    response = httpx.post(f"{base}/data", json={"a": "x" * 5000}, timeout=SOCKET_TIMEOUT)
    assert response.status_code == 413
    assert_still_serving(base)


def test_chunked_json_body_is_accepted(server: tuple[str, Recorder]) -> None:
    base, _ = server
    body = b'{"name": "chunked", "price": 2}'
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    status, response_body = exchange(
        base,
        request_bytes(
            "POST",
            b"/items",
            {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            chunked,
        ),
    )
    assert status == 200
    assert json.loads(response_body) == {"name": "chunked", "price": 2.0}


def test_many_query_params_and_duplicate_json_keys(server: tuple[str, Recorder]) -> None:
    base, _ = server
    params = [("q", "x")] + [(f"p{i}", "v") for i in range(5000)]
    response = httpx.get(f"{base}/echo", params=params, timeout=SOCKET_TIMEOUT)
    assert response.json() == {"q": "x", "n": 0}
    response = httpx.post(
        f"{base}/items",
        content=b'{"name": "first", "name": "last", "price": 1}',
        headers={"Content-Type": "application/json"},
        timeout=SOCKET_TIMEOUT,
    )
    assert response.json() == {"name": "last", "price": 1.0}
