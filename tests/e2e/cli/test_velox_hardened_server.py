"""``velox run``'s hardened connection handling, with real sockets.

Slowloris clients (connections that never finish their headers) are closed
after ``--header-timeout``; honest clients, slow or keep-alive, are served;
``--limit-concurrency`` bounds connections; idle keep-alive connections close.
"""

from __future__ import annotations

import selectors
import socket
import time

import httpx
from velox_cli_e2e import write_app

APP = """
from veloxapi import VeloxAPI
app = VeloxAPI()

@app.get("/ping")
def ping() -> dict:
    return {"pong": True}
"""
REQUEST = b"GET /ping HTTP/1.1\r\nHost: test\r\n\r\n"


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def _closed_within(sockets: list[socket.socket], seconds: float) -> list[bytes]:
    """What each socket received up to the server closing it; fails on any still open."""
    selector = selectors.DefaultSelector()
    received = {sock: b"" for sock in sockets}
    for sock in sockets:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    deadline = time.monotonic() + seconds
    open_count = len(sockets)
    while open_count and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.5):
            sock = key.fileobj
            try:
                chunk = sock.recv(4096)  # type: ignore[union-attr]
            except ConnectionResetError:
                chunk = b""
            if chunk:
                received[sock] += chunk  # type: ignore[index]
            else:
                selector.unregister(sock)
                open_count -= 1
    selector.close()
    assert open_count == 0, f"{open_count} of {len(sockets)} connections still open"
    return list(received.values())


def _served(sock: socket.socket) -> bytes:
    data = b""
    while b'{"pong":true}' not in data:
        chunk = sock.recv(4096)
        assert chunk, f"closed before the response: {data!r}"
        data += chunk
    return data


def test_slowloris_connections_are_closed_and_others_served(velox, tmp_path):
    write_app(tmp_path, "main.py", APP)
    server = velox("run", "--header-timeout", "2")
    half_headers = []
    for _ in range(200):
        sock = _connect(server.port)
        sock.sendall(b"GET /ping HTTP/1.1\r\nHost: test\r\nX-Slow: ")
        half_headers.append(sock)
    silent = [_connect(server.port) for _ in range(20)]
    assert httpx.get(server.url + "/ping").json() == {"pong": True}  # served meanwhile
    answers = _closed_within(half_headers + silent, seconds=15)
    assert all(a == b"" or a.startswith(b"HTTP/1.1 408 ") for a in answers)
    assert sum(a.startswith(b"HTTP/1.1 408 ") for a in answers) >= 200
    assert httpx.get(server.url + "/ping").json() == {"pong": True}  # and served after


def test_slow_but_timely_headers_and_keep_alive_requests_are_served(velox, tmp_path):
    write_app(tmp_path, "main.py", APP)
    server = velox("run", "--header-timeout", "3", "--timeout-keep-alive", "10")
    with _connect(server.port) as sock:
        for part in (REQUEST[:10], REQUEST[10:25], REQUEST[25:]):
            sock.sendall(part)
            time.sleep(0.4)
        assert _served(sock).startswith(b"HTTP/1.1 200 ")
        time.sleep(3.5)  # idle longer than the header deadline: keep-alive governs idleness
        sock.sendall(REQUEST)
        assert _served(sock).startswith(b"HTTP/1.1 200 ")


def test_idle_keep_alive_connections_are_closed(velox, tmp_path):
    write_app(tmp_path, "main.py", APP)
    server = velox("run", "--timeout-keep-alive", "1")
    sock = _connect(server.port)
    sock.sendall(REQUEST)
    _served(sock)
    _closed_within([sock], seconds=10)
    sock.close()


def test_connections_beyond_the_limit_get_503(velox, tmp_path):
    write_app(tmp_path, "main.py", APP)
    server = velox("run", "--limit-concurrency", "5")
    idle = [_connect(server.port) for _ in range(5)]
    time.sleep(0.3)  # let the server accept them
    try:
        assert httpx.get(server.url + "/ping").status_code == 503
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.3)
    assert httpx.get(server.url + "/ping").status_code == 200


WS_APP = """
from veloxapi import VeloxAPI, WebSocket, WebSocketDisconnect
app = VeloxAPI()

@app.get("/ping")
def ping() -> dict:
    return {"pong": True}

@app.websocket("/ws")
async def echo(socket: WebSocket) -> None:
    await socket.accept()
    try:
        while True:
            await socket.send_text(await socket.receive_text())
    except WebSocketDisconnect:
        pass
"""


def _masked_text_frame(payload: bytes) -> bytes:
    mask = b"\x01\x02\x03\x04"
    body = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + mask + body


def test_invalid_utf8_websocket_frames_leave_no_traceback_in_the_log(velox, tmp_path):
    write_app(tmp_path, "main.py", WS_APP)
    server = velox("run", "--log-format", "text")
    for _ in range(3):
        sock = _connect(server.port)
        sock.sendall(
            b"GET /ws HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        handshake = b""
        while b"\r\n\r\n" not in handshake:
            handshake += sock.recv(4096)
        assert handshake.startswith(b"HTTP/1.1 101")
        sock.sendall(_masked_text_frame(b"\xff\xfe\xfd"))
        (closing,) = _closed_within([sock], seconds=10)
        assert closing[:1] == b"\x88"  # a close frame (1007: invalid frame payload data)
        sock.close()
    assert httpx.get(server.url + "/ping").json() == {"pong": True}
    log = server.output()
    assert "Traceback" not in log
    assert "Invalid UTF-8" not in log  # a DEBUG line: not written at the default level
