"""Bytes on a socket: raw HTTP/1.1 and WebSocket exchanges for input no client library sends.

Every socket has a timeout, so no exchange can hang a test.
"""

from __future__ import annotations

import base64
import os
import socket
import struct
import time
from dataclasses import dataclass

SOCKET_TIMEOUT = 5.0


@dataclass
class Outcome:
    """What the client saw: the status (``None``: closed without an answer) and the body."""

    status: int | None
    body: bytes = b""
    elapsed: float = 0.0
    note: str = ""


def request_bytes(
    method: str, target: bytes, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1"]
    lines += [f"{k}: {v}".encode("latin-1") for k, v in (headers or {}).items()]
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def read_until_closed(sock: socket.socket, timeout: float = SOCKET_TIMEOUT) -> bytes:
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def raw_exchange(
    address: tuple[str, int],
    payload: bytes,
    *,
    half_close: bool = False,
    timeout: float = SOCKET_TIMEOUT,
) -> Outcome:
    """Send raw bytes, read until the server closes (or ``timeout``), parse the answer."""
    start = time.monotonic()
    with socket.create_connection(address, timeout=timeout) as sock:
        try:
            sock.sendall(payload)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused the rest: what it answered is still readable, or not
        raw = read_until_closed(sock, timeout)
    return parse_response(raw, time.monotonic() - start)


def parse_response(raw: bytes, elapsed: float = 0.0) -> Outcome:
    if not raw.startswith(b"HTTP/"):
        return Outcome(None, raw, elapsed, "closed without an HTTP answer")
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = dechunk(body)
    return Outcome(status, body, elapsed)


def dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        try:
            size = int(size_line, 16)
        except ValueError:
            break
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out


# -- WebSocket ---------------------------------------------------------------------------


def ws_handshake(path: bytes = b"/ws", version: str = "13") -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": key,
        "Sec-WebSocket-Version": version,
    }
    lines = [b"GET " + path + b" HTTP/1.1", b"Host: 127.0.0.1"]
    lines += [f"{k}: {v}".encode() for k, v in headers.items()]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def ws_frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bool = True) -> bytes:
    """A client frame; ``mask=False`` breaks the rule that client frames are masked."""
    first = (0x80 if fin else 0) | opcode
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", first, (0x80 if mask else 0) | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", first, (0x80 if mask else 0) | 126, length)
    else:
        header = struct.pack("!BBQ", first, (0x80 if mask else 0) | 127, length)
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def ws_exchange(
    address: tuple[str, int],
    frames: bytes,
    *,
    version: str = "13",
    half_close: bool = False,
    timeout: float = SOCKET_TIMEOUT,
) -> Outcome:
    """Open a WebSocket, send ``frames`` raw (then EOF with ``half_close``), wait for the close.

    ``status`` is the handshake's (101 when accepted); ``note`` says how the
    connection ended: ``closed`` by the server within ``timeout``, or ``open``.
    """
    start = time.monotonic()
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(ws_handshake(version=version))
        head = _read_head(sock)
        outcome = parse_response(head, 0.0)
        if outcome.status != 101:
            outcome.body += read_until_closed(sock, timeout)
            outcome.elapsed = time.monotonic() - start
            return outcome
        try:
            sock.sendall(frames)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        rest = read_until_closed(sock, timeout)
        elapsed = time.monotonic() - start
        ended = "closed" if elapsed < timeout else "open"
    return Outcome(101, rest, elapsed, ended)


def _read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data
