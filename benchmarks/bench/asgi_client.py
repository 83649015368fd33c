"""Drive an ASGI app directly: lifespan, HTTP requests and WebSocket sessions, no server.

Scopes and messages are built once per scenario; each call copies the scope (apps
may write into it) and walks a fresh iterator over the prebuilt receive messages.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bench.scenarios import Scenario

App = Callable[..., Awaitable[None]]
Message = dict[str, Any]
CHUNK = 64 * 1024

_ASGI = {"version": "3.0", "spec_version": "2.3"}


async def start_lifespan(app: App) -> tuple[dict[str, Any], Callable[[], Awaitable[None]]]:
    """Run the app's lifespan startup; return its state and a shutdown coroutine function."""
    state: dict[str, Any] = {}
    to_app: asyncio.Queue[Message] = asyncio.Queue()
    from_app: asyncio.Queue[Message] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": _ASGI, "state": state}
    task = asyncio.ensure_future(app(scope, to_app.get, from_app.put))
    await to_app.put({"type": "lifespan.startup"})
    reply = asyncio.ensure_future(from_app.get())
    await asyncio.wait({task, reply}, return_when=asyncio.FIRST_COMPLETED)
    if not reply.done():
        reply.cancel()
        task.result()  # raises the app's startup error
        raise RuntimeError("the app's lifespan returned without completing startup")
    if reply.result()["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"lifespan startup failed: {reply.result()}")

    async def shutdown() -> None:
        await to_app.put({"type": "lifespan.shutdown"})
        await from_app.get()
        await task

    return state, shutdown


def _scope(scenario: Scenario, state: dict[str, Any]) -> dict[str, Any]:
    headers = [(b"host", b"testserver")]
    headers += [(k.lower().encode(), v.encode()) for k, v in scenario.headers]
    if scenario.body:
        headers.append((b"content-length", str(len(scenario.body)).encode()))
    scope: dict[str, Any] = {
        "type": scenario.kind,
        "asgi": _ASGI,
        "http_version": "1.1",
        "scheme": "http" if scenario.kind == "http" else "ws",
        "path": scenario.path,
        "raw_path": scenario.path.encode(),
        "query_string": scenario.query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": state,
    }
    if scenario.kind == "http":
        scope["method"] = scenario.method
    else:
        scope["subprotocols"] = []
    return scope


def _http_messages(body: bytes) -> list[Message]:
    chunks = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)] or [b""]
    last = len(chunks) - 1
    return [
        {"type": "http.request", "body": chunk, "more_body": n < last}
        for n, chunk in enumerate(chunks)
    ]


def _ws_messages(text: str) -> list[Message]:
    return [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": text},
        {"type": "websocket.disconnect", "code": 1000},
    ]


def make_call(
    app: App, scenario: Scenario, state: dict[str, Any]
) -> Callable[[], Awaitable[tuple[int, bytes]]]:
    """A coroutine function doing one request (or WebSocket session).

    It returns (status, body); for a WebSocket session, status 200 means the app
    accepted and the body is the echoed text.
    """
    base = _scope(scenario, state)
    if scenario.kind == "http":
        messages = _http_messages(scenario.body)
    else:
        messages = _ws_messages(scenario.ws_text)
    disconnect: Message = {
        "type": f"{'http' if scenario.kind == 'http' else 'websocket'}.disconnect"
    }

    async def call() -> tuple[int, bytes]:
        pending = iter(messages)
        sent: list[Message] = []

        async def receive() -> Message:
            return next(pending, disconnect)

        async def send(message: Message) -> None:
            sent.append(message)

        await app({**base, "state": dict(state)}, receive, send)
        return _outcome(sent)

    return call


def _outcome(sent: list[Message]) -> tuple[int, bytes]:
    status = 0
    body = bytearray()
    for message in sent:
        kind = message["type"]
        if kind == "http.response.start":
            status = message["status"]
        elif kind == "http.response.body":
            body += message.get("body", b"")
        elif kind == "websocket.accept":
            status = 200
        elif kind == "websocket.send":
            body += (message.get("text") or "").encode() or message.get("bytes") or b""
        elif kind == "websocket.close" and status == 0:
            status = 403
    return status, bytes(body)
