"""Bad client input against a real uvicorn server: never a 500, never a hang.

Each test starts the app under uvicorn on a loopback port (``live_server`` from
tests/conftest.py), sends something broken over httpx or a raw socket, checks
the answer is a 4xx with FastAPI's error body (or, where the input is merely
odd, a correct 200), and then checks that the server still answers a normal
request. Every socket has a timeout and every test a pytest-timeout limit.
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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi import Body, Form, Query, VeloxAPI

pytestmark = pytest.mark.timeout(30)

SOCKET_TIMEOUT = 5.0
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


def raw_exchange(base: str, payload: bytes, *, half_close: bool = False) -> bytes:
    """Send raw bytes, read until the server closes (or the socket times out)."""
    with socket.create_connection(address(base), timeout=SOCKET_TIMEOUT) as sock:
        sock.sendall(payload)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks: list[bytes] = []
        deadline = time.monotonic() + SOCKET_TIMEOUT
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def parse_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = dechunk(body)
    return status, headers, body


def dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out


def request_bytes(method: str, target: bytes, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1"]
    lines += [f"{k}: {v}".encode("latin-1") for k, v in headers.items()]
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


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
    raw = raw_exchange(
        base,
        request_bytes("POST", b"/items", {"Content-Length": "25"}, b'{"name": "x", "price": 1}'),
    )
    status, _, body = parse_response(raw)
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


def test_deeply_nested_json_is_rejected_cleanly(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    depth = 100_000
    body = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"
    response = httpx.post(
        f"{base}/data",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=SOCKET_TIMEOUT * 2,
    )
    assert response.status_code == 400
    assert response.json() == PARSE_ERROR
    recorder.wait_idle()
    assert recorder.errors == []
    assert_still_serving(base)


def test_moderately_nested_json_is_accepted(server: tuple[str, Recorder]) -> None:
    base, _ = server
    depth = 200
    body = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"
    response = httpx.post(
        f"{base}/data", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == {"keys": 1}


def test_huge_integer_in_json_body_is_4xx(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    response = httpx.post(
        f"{base}/bounded",
        content=b'{"count": ' + b"9" * 5000 + b"}",
        headers={"Content-Type": "application/json"},
        timeout=SOCKET_TIMEOUT,
    )
    assert response.status_code == 400
    assert response.json() == PARSE_ERROR
    recorder.wait_idle()
    assert recorder.errors == []
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
    raw = raw_exchange(base, request_bytes("GET", b"/echo?q=\xff\xfe", {}))
    status, _, body = parse_response(raw)
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
    raw = raw_exchange(base, request_bytes("GET", b"/names/\xff", {}))
    status, _, _ = parse_response(raw)
    assert status in (200, 400, 404)
    recorder.wait_idle()
    assert recorder.errors == []
    assert_still_serving(base)


def test_invalid_utf8_in_header_value(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    raw = raw_exchange(base, request_bytes("GET", b"/ping", {"X-Thing": "\xff\xfe"}))
    status, _, body = parse_response(raw)
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
    raw = raw_exchange(
        base, request_bytes("GET", b"/h", {"X-Token": "\xff\xfe", "Cookie": "session=\xff"})
    )
    status, _, body = parse_response(raw)
    assert status == 200
    assert json.loads(body)["token_length"] == 2
    raw = raw_exchange(base, request_bytes("GET", b"/h", {"X-Token": "\xff" * 20}))
    status, _, body = parse_response(raw)
    assert status == 422
    assert json.loads(body)["detail"][0]["type"] == "string_too_long"
    recorder.wait_idle()
    assert recorder.errors == []


def test_malformed_request_line_is_400_and_server_keeps_serving(
    server: tuple[str, Recorder],
) -> None:
    base, _ = server
    raw = raw_exchange(base, b"THIS IS NOT HTTP\r\n\r\n")
    if raw:
        status, _, _ = parse_response(raw)
        assert status == 400
    assert_still_serving(base)


# -- multipart ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        pytest.param(
            "multipart/form-data",
            b'--abc\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--abc--\r\n',
            id="no-boundary",
        ),
        pytest.param(
            "multipart/form-data; boundary=abc",
            b'--other\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--other--\r\n',
            id="mismatched-boundary",
        ),
        pytest.param(
            "multipart/form-data; boundary=abc",
            b"--abc\r\nContent-Disposition: form-data\r\n\r\nval\r\n--abc--\r\n",
            id="part-without-name",
        ),
    ],
)
def test_malformed_multipart_is_400(
    server: tuple[str, Recorder], content_type: str, body: bytes
) -> None:
    base, recorder = server
    response = httpx.post(
        f"{base}/form",
        content=body,
        headers={"Content-Type": content_type},
        timeout=SOCKET_TIMEOUT,
    )
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)
    recorder.wait_idle()
    assert recorder.errors == []
    assert_still_serving(base)


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


def test_content_length_larger_than_body_then_close(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    raw = raw_exchange(
        base,
        request_bytes(
            "POST",
            b"/items",
            {"Content-Type": "application/json", "Content-Length": "1000"},
            b'{"name": "',
        ),
        half_close=True,
    )
    if raw:
        status, _, _ = parse_response(raw)
        assert 400 <= status < 500
    assert recorder.finished.wait(SOCKET_TIMEOUT), "the request never finished"
    assert all(s < 500 for s in recorder.statuses.get("/items", []))
    recorder.wait_idle()
    assert recorder.errors == []
    assert_still_serving(base)


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


def test_stalled_body_is_answered_or_timed_out(live_server: LiveServer) -> None:
    app = build_app()
    app.request_body_timeout = 2.0  # seconds of client silence before the 408
    recorder = Recorder(app)
    base = live_server(recorder, timeout_keep_alive=1, timeout_graceful_shutdown=1)
    wait = 8.0
    with socket.create_connection(address(base), timeout=wait) as stalled:
        stalled.sendall(
            request_bytes(
                "POST",
                b"/items",
                {"Content-Type": "application/json", "Content-Length": "1000"},
                b'{"name": "',
            )
        )
        try:
            raw = stalled.recv(65536)
        except TimeoutError:
            raw = None
    assert raw is not None, f"no answer and no close after {wait}s"
    if raw:
        status, _, _ = parse_response(raw)
        assert 400 <= status < 500


def test_too_many_form_fields_is_400(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    fields = "&".join(f"f{i}=v" for i in range(1500))
    response = httpx.post(
        f"{base}/form",
        content=("name=x&" + fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=SOCKET_TIMEOUT,
    )
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)
    files = [("f", ("a.txt", b"a"))] * 1100
    response = httpx.post(f"{base}/form", data={"name": "x"}, files=files, timeout=SOCKET_TIMEOUT)
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)
    recorder.wait_idle()
    assert recorder.errors == []
    assert_still_serving(base)


def test_body_over_max_body_size_is_413(live_server: LiveServer) -> None:
    app = build_app()
    app.max_body_size = 1000
    recorder = Recorder(app)
    base = live_server(recorder)
    response = httpx.post(f"{base}/data", json={"a": "x" * 5000}, timeout=SOCKET_TIMEOUT)
    assert response.status_code == 413
    assert_still_serving(base)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(
            b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: abc\r\nConnection: close\r\n\r\n{}",
            id="non-numeric-content-length",
        ),
        pytest.param(
            b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            id="malformed-chunk-size",
        ),
        pytest.param(
            b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            b"2\r\n{}\r\n0\r\n\r\n",
            id="content-length-and-chunked",
        ),
        pytest.param(
            b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n"
            b"Connection: close\r\n\r\n",
            id="huge-header",
        ),
        pytest.param(
            b"GET /echo?q=" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            id="huge-url",
        ),
        pytest.param(b"GET /ping HTTP/1.1\r\nBad Header Line\r\n\r\n", id="header-without-colon"),
    ],
)
def test_protocol_level_garbage_never_reaches_a_500(
    server: tuple[str, Recorder], payload: bytes
) -> None:
    base, recorder = server
    try:
        raw = raw_exchange(base, payload)
    except ConnectionResetError:
        raw = b""
    if raw:
        status, _, _ = parse_response(raw)
        assert status < 500
    assert_still_serving(base)
    recorder.wait_idle()
    assert all(s < 500 for codes in recorder.statuses.values() for s in codes)
    recorder.wait_idle()
    assert recorder.errors == []
    assert_still_serving(base)


def test_chunked_json_body_is_accepted(server: tuple[str, Recorder]) -> None:
    base, _ = server
    body = b'{"name": "chunked", "price": 2}'
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    raw = raw_exchange(
        base,
        request_bytes(
            "POST",
            b"/items",
            {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            chunked,
        ),
    )
    status, _, response_body = parse_response(raw)
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
