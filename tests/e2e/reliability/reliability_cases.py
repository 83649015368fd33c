"""The hostile-input matrix: every case, what it sends, and what the server answers today.

Groups: JSON bodies, body size and pace, query/path/headers, multipart,
protocol garbage, path traversal, WebSocket frames, disconnects, slowloris.
``answers`` records today's outcome; a :class:`Gap` names the component that
must still fix a case (see ``docs/hardening.md``).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import httpx
from reliability_app import BODY_TIMEOUT
from reliability_matrix import TRACEBACK, Case, Gap
from reliability_server import Server
from reliability_wire import (
    SOCKET_TIMEOUT,
    Outcome,
    parse_response,
    raw_exchange,
    read_until_closed,
    request_bytes,
    ws_exchange,
    ws_frame,
)

JSON = {"Content-Type": "application/json"}
CLOSED = None


def answers(*statuses: int | None) -> frozenset[int | None]:
    return frozenset(statuses)


def http(method: str, path: str, **kwargs: object) -> Callable[[Server], Outcome]:
    def send(server: Server) -> Outcome:
        start = time.monotonic()
        response = httpx.request(method, server.base + path, timeout=SOCKET_TIMEOUT * 2, **kwargs)  # type: ignore[arg-type]
        return Outcome(response.status_code, response.content, time.monotonic() - start)

    return send


def raw(payload: bytes, *, half_close: bool = False) -> Callable[[Server], Outcome]:
    def send(server: Server) -> Outcome:
        return raw_exchange(server.host_port, payload, half_close=half_close)

    return send


def post_json(path: str, body: bytes) -> Callable[[Server], Outcome]:
    return http("POST", path, content=body, headers=JSON)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# -- JSON bodies -------------------------------------------------------------------------

JSON_CASES = [
    Case("malformed-json", "json", post_json("/items", b'{"name": "x", "price": '), answers(422)),
    Case("invalid-utf8-json", "json", post_json("/items", b'{"name": "\xff\xfe"}'), answers(400)),
    Case(
        "wrong-content-type",
        "json",
        http("POST", "/items", content=b"{}", headers={"Content-Type": "text/plain"}),
        answers(422),
    ),
    Case("json-array-for-object", "json", post_json("/items", b"[1, 2]"), answers(422)),
    Case(
        "number-100k-digits",
        "json",
        post_json("/bounded", b'{"count": ' + b"9" * 100_000 + b"}"),
        answers(400),
    ),
    Case(
        "number-100k-digits-echoed",
        "json",
        post_json("/echo", b"[" + b"1" * 100_000 + b"]"),
        answers(400),
    ),
    Case("float-overflow-echoed", "json", post_json("/echo", b'{"v": 1e400}'), answers(200)),
    Case("nan-for-bounded-int", "json", post_json("/bounded", b'{"count": NaN}'), answers(422)),
    Case(
        "json-10k-deep", "json", post_json("/data", b'{"a": ' + nested(10_000) + b"}"), answers(400)
    ),
    Case(
        "json-100k-deep",
        "json",
        post_json("/data", b'{"a": ' + nested(100_000) + b"}"),
        answers(400),
    ),
    Case("json-100-deep-echoed", "json", post_json("/echo", nested(100)), answers(200)),
    *[
        # deeper than the hardened max_json_depth (128): refused at input, so nothing
        # accepted is too deep for the serializer (which stops near 255 levels)
        Case(f"json-{depth}-deep-echoed", "json", post_json("/echo", nested(depth)), answers(422))
        for depth in (500, 900)
    ],
    Case(
        "duplicate-keys-and-10k-keys",
        "json",
        post_json("/data", b"{" + b",".join(b'"k%d": 1' % i for i in range(10_000)) + b"}"),
        answers(200),
    ),
]


# -- body size and pace ------------------------------------------------------------------


def oversized_body(server: Server) -> Outcome:
    body = b'{"blob": "' + b"x" * (16 * 1024 * 1024) + b'"}'
    return post_json("/data", body)(server)


def stalled_body(server: Server) -> Outcome:
    headers = {"Content-Type": "application/json", "Content-Length": "1000"}
    start = time.monotonic()
    with socket.create_connection(server.host_port, timeout=BODY_TIMEOUT * 4) as sock:
        sock.sendall(request_bytes("POST", b"/items", headers, b'{"name": "'))
        outcome = raw_outcome(read_until_closed(sock, BODY_TIMEOUT * 4), start)
    return outcome


def trickled_body(server: Server) -> Outcome:
    """One byte every half second: never silent for ``BODY_TIMEOUT``, never finished."""
    headers = {"Content-Type": "application/json", "Content-Length": "1000"}
    start = time.monotonic()
    with socket.create_connection(server.host_port, timeout=SOCKET_TIMEOUT) as sock:
        sock.sendall(request_bytes("POST", b"/items", headers, b"{"))
        sock.settimeout(0.5)
        for _ in range(12):
            try:
                answered = sock.recv(65536)
            except TimeoutError:
                answered = b""
                sock.sendall(b" ")
                continue
            return raw_outcome(answered + read_until_closed(sock), start)
        sock.settimeout(BODY_TIMEOUT * 3)
        return raw_outcome(read_until_closed(sock, BODY_TIMEOUT * 3), start)


def raw_outcome(data: bytes, start: float) -> Outcome:
    return parse_response(data, time.monotonic() - start)


BODY_CASES = [
    Case("oversized-body-16mib", "body", oversized_body, answers(413)),
    Case("stalled-body", "body", stalled_body, answers(408), within=BODY_TIMEOUT * 3),
    Case(
        "trickled-body",
        "body",
        trickled_body,
        answers(408),
        within=BODY_TIMEOUT * 2,
        configs=("plain",),
    ),
    Case(
        "content-length-longer-then-close",
        "body",
        raw(
            request_bytes("POST", b"/items", {**JSON, "Content-Length": "1000"}, b"{"),
            half_close=True,
        ),
        answers(400, CLOSED),
    ),
    Case(
        "body-longer-than-content-length",
        "body",
        raw(request_bytes("POST", b"/items", {**JSON, "Content-Length": "2"}, b"{}garbage-after")),
        answers(422),
    ),
]


# -- query, path, headers ----------------------------------------------------------------

HEADER_CASES = [
    Case(
        "query-value-10k",
        "headers",
        http("GET", "/echo-query", params={"q": "x" * 10_000}),
        answers(422),
    ),
    Case(
        "query-number-5k-digits",
        "headers",
        http("GET", "/echo-query", params={"n": "9" * 5000}),
        answers(422),
    ),
    Case(
        "query-5000-params",
        "headers",
        raw(request_bytes("GET", b"/echo-query?" + b"&".join(b"p%d=v" % i for i in range(5000)))),
        answers(200),
    ),
    Case(
        "url-200k",
        "headers",
        raw(request_bytes("GET", b"/echo-query?q=" + b"a" * 200_000)),
        answers(400, 414, 422, CLOSED),
    ),
    Case(
        "header-flood-5000",
        "headers",
        raw(request_bytes("GET", b"/books", {f"X-Flood-{i}": "v" * 20 for i in range(5000)})),
        answers(200, 400, 431, CLOSED),
    ),
    Case(
        "header-value-200k",
        "headers",
        raw(request_bytes("GET", b"/books", {"X-Big": "a" * 200_000})),
        answers(200, 400, 431, CLOSED),
    ),
    Case(
        "cookie-flood-5000",
        "headers",
        raw(request_bytes("GET", b"/books", {"Cookie": "; ".join(f"c{i}=v" for i in range(5000))})),
        answers(200),
    ),
    Case(
        "invalid-utf8-in-header-query-path",
        "headers",
        raw(request_bytes("GET", b"/names/\xff?q=\xfe", {"X-Thing": "\xff\xfe"})),
        answers(200, 400),
    ),
    Case(
        "api-key-flood",
        "headers",
        http(
            "POST",
            "/books",
            json={"title": "t", "author": "a"},
            headers={"X-API-Key": "k" * 50_000},
        ),
        answers(401),
    ),
]


# -- multipart ---------------------------------------------------------------------------


def multipart(path: str, content_type: str, body: bytes) -> Callable[[Server], Outcome]:
    return http("POST", path, content=body, headers={"Content-Type": content_type})


PART = b'--abc\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--abc--\r\n'

MULTIPART_CASES = [
    Case(
        "multipart-no-boundary",
        "multipart",
        multipart("/form", "multipart/form-data", PART),
        answers(400),
    ),
    Case(
        "multipart-wrong-boundary",
        "multipart",
        multipart("/form", "multipart/form-data; boundary=zzz", PART),
        answers(400),
    ),
    Case(
        "multipart-part-without-name",
        "multipart",
        multipart(
            "/form",
            "multipart/form-data; boundary=abc",
            b"--abc\r\nContent-Disposition: form-data\r\n\r\nx\r\n--abc--\r\n",
        ),
        answers(400),
    ),
    Case(
        "multipart-truncated",
        "multipart",
        multipart("/form", "multipart/form-data; boundary=abc", PART[:-12]),
        answers(422),
    ),
    Case(
        "multipart-garbage-upload",
        "multipart",
        multipart("/upload", "multipart/form-data; boundary=abc", b"\x00\xff" * 50_000),
        answers(400, 422),
    ),
    Case(
        "multipart-part-header-100k",
        "multipart",
        multipart(
            "/upload",
            "multipart/form-data; boundary=abc",
            b'--abc\r\nContent-Disposition: form-data; name="file"; filename="'
            + b"a" * 100_000
            + b'"\r\n\r\nx\r\n--abc--\r\n',
        ),
        answers(200, 400),
    ),
    Case(
        "form-1500-fields",
        "multipart",
        multipart(
            "/form",
            "application/x-www-form-urlencoded",
            b"name=x&" + b"&".join(b"f%d=v" % i for i in range(1500)),
        ),
        answers(400),
    ),
    Case(
        "multipart-1100-files",
        "multipart",
        http("POST", "/form", data={"name": "x"}, files=[("f", ("a.txt", b"a"))] * 1100),
        answers(400),
    ),
]


# -- protocol garbage --------------------------------------------------------------------

PROTOCOL_CASES = [
    Case(
        "garbage-request-line", "protocol", raw(b"THIS IS NOT HTTP\r\n\r\n"), answers(400, CLOSED)
    ),
    Case(
        "non-numeric-content-length",
        "protocol",
        raw(
            b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}"
        ),
        answers(400, CLOSED),
    ),
    Case(
        "malformed-chunk-size",
        "protocol",
        raw(
            b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
        ),
        answers(400, CLOSED),
    ),
    Case(
        "content-length-and-chunked",
        "protocol",
        raw(
            b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            b"2\r\n{}\r\n0\r\n\r\n"
        ),
        answers(400, 422, CLOSED),
    ),
    Case(
        "header-without-colon",
        "protocol",
        raw(b"GET /books HTTP/1.1\r\nBad Header Line\r\n\r\n"),
        answers(400, CLOSED),
    ),
    Case(
        "nul-in-request-target",
        "protocol",
        raw(request_bytes("GET", b"/books\x00x")),
        answers(400, 404, CLOSED),
    ),
]


# -- path traversal ----------------------------------------------------------------------

TRAVERSAL_CASES = [
    Case(f"traversal-{name}", "traversal", raw(request_bytes("GET", target)), answers(*codes))
    for name, target, codes in (
        ("dotdot", b"/static/../../../../../../etc/passwd", (404,)),
        ("encoded-dots", b"/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", (404,)),
        ("encoded-slashes", b"/static/..%2f..%2f..%2f..%2fetc%2fpasswd", (404,)),
        ("backslashes", b"/static/..\\..\\..\\etc\\passwd", (404,)),
        ("absolute", b"/static//etc/passwd", (404,)),
        ("nul-byte", b"/static/hello.txt%00.png", (404,)),
        ("overlong-utf8", b"/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", (404,)),
        ("path-param", b"/names/..%2f..%2fetc%2fpasswd", (404,)),
    )
]


# -- WebSocket frames --------------------------------------------------------------------


def ws(frames: bytes, version: str = "13", half_close: bool = False) -> Callable[[Server], Outcome]:
    def send(server: Server) -> Outcome:
        return ws_exchange(server.host_port, frames, version=version, half_close=half_close)

    return send


WEBSOCKET_CASES = [
    Case("ws-unmasked-frame", "websocket", ws(ws_frame(0x1, b"hello", mask=False)), answers(101)),
    Case("ws-reserved-opcode", "websocket", ws(ws_frame(0x3, b"x")), answers(101)),
    Case(
        "ws-invalid-utf8-text",
        "websocket",
        ws(ws_frame(0x1, b"\xff\xfe\xfd")),
        answers(101),
        gap=Gap(
            "cli",
            "uvicorn's default WebSocket implementation (websockets-sansio) logs an ERROR "
            "with a traceback for every text frame that is not UTF-8, so any client can "
            "flood the server log; the connection itself is closed correctly",
            answers(101),
            frozenset({TRACEBACK}),
        ),
    ),
    Case(
        "ws-length-2-pow-63",
        "websocket",
        ws(b"\x82\xff" + (2**63 - 1).to_bytes(8, "big") + b"\x00" * 4),
        answers(101),
    ),
    Case("ws-continuation-first", "websocket", ws(ws_frame(0x0, b"orphan")), answers(101)),
    Case(
        "ws-close-code-999",
        "websocket",
        ws(ws_frame(0x8, (999).to_bytes(2, "big") + b"bye")),
        answers(101),
    ),
    Case("ws-fragmented-control", "websocket", ws(ws_frame(0x9, b"ping", fin=False)), answers(101)),
    Case(
        "ws-truncated-frame-then-eof",
        "websocket",
        ws(b"\x81\x85\x00\x00", half_close=True),
        answers(101),
    ),
    Case("ws-bad-version", "websocket", ws(b"", version="99"), answers(400, 426)),
]


# -- disconnects mid-stream --------------------------------------------------------------


def leave_during_jsonlines(server: Server) -> Outcome:
    start = time.monotonic()
    with socket.create_connection(server.host_port, timeout=SOCKET_TIMEOUT) as sock:
        sock.sendall(request_bytes("GET", b"/jsonlines?count=100000"))
        first = sock.recv(4096)
    status = int(first.split(b" ")[1]) if first.startswith(b"HTTP/") else None
    return Outcome(status, b"", time.monotonic() - start, "left after the first chunk")


def leave_during_body(path: bytes, content_type: str) -> Callable[[Server], Outcome]:
    def send(server: Server) -> Outcome:
        start = time.monotonic()
        headers = {"Content-Type": content_type, "Content-Length": str(1024 * 1024)}
        with socket.create_connection(server.host_port, timeout=SOCKET_TIMEOUT) as sock:
            sock.sendall(request_bytes("POST", path, headers, b"x" * 65536))
            time.sleep(0.2)  # the endpoint is reading the body now
        return Outcome(None, b"", time.monotonic() - start, "left mid-body")

    return send


DISCONNECT_CASES = [
    Case("leave-during-jsonlines-stream", "disconnect", leave_during_jsonlines, answers(200)),
    Case(
        "leave-during-json-body",
        "disconnect",
        leave_during_body(b"/data", "application/json"),
        answers(CLOSED),
    ),
    Case(
        "leave-during-multipart-upload",
        "disconnect",
        leave_during_body(b"/upload", "multipart/form-data; boundary=abc"),
        answers(CLOSED),
    ),
    Case(
        "leave-during-request-stream",
        "disconnect",
        leave_during_body(b"/stream-upload", "application/octet-stream"),
        answers(CLOSED),
    ),
]


# -- slowloris ---------------------------------------------------------------------------


def slowloris(server: Server) -> Outcome:
    """100 connections that never finish their headers; others must still be served."""
    start = time.monotonic()
    held: list[socket.socket] = []
    try:
        for index in range(100):
            sock = socket.create_connection(server.host_port, timeout=SOCKET_TIMEOUT)
            sock.sendall(b"GET /books HTTP/1.1\r\nHost: x\r\nX-Slow-%d: " % index)
            held.append(sock)
        response = httpx.get(f"{server.base}/books", timeout=SOCKET_TIMEOUT)
        open_after = sum(1 for sock in held if _still_open(sock))
        note = f"{open_after} of {len(held)} held connections still open"
        return Outcome(response.status_code, response.content, time.monotonic() - start, note)
    finally:
        for sock in held:
            sock.close()


def _still_open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


SLOWLORIS_CASES = [
    Case(
        "slowloris-100-others-served",
        "slowloris",
        slowloris,
        answers(200),
        gap=Gap(
            "cli",
            "plain uvicorn has no header timeout, so 100 connections that never finish "
            "their headers stay open (others are still served); velox run's "
            "--header-timeout closes them (the suite starts uvicorn directly)",
            answers(200),
            frozenset(),
        ),
    )
]


CASES: list[Case] = [
    *JSON_CASES,
    *BODY_CASES,
    *HEADER_CASES,
    *MULTIPART_CASES,
    *PROTOCOL_CASES,
    *TRAVERSAL_CASES,
    *WEBSOCKET_CASES,
    *DISCONNECT_CASES,
    *SLOWLORIS_CASES,
]
