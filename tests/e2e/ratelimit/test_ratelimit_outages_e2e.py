"""Rate limits over real uvicorn: WebSocket handshakes, and a Redis that hangs."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

ServerFactory = Callable[[str, dict[str, str], int], str]


def test_router_limit_on_a_websocket_route_answers_the_handshake(
    uvicorn_server: ServerFactory,
) -> None:
    base = uvicorn_server("ws_app", {}, 1).replace("http://", "ws://")

    async def talk() -> list[object]:
        outcomes: list[object] = []
        for _ in range(3):
            try:
                async with websockets.connect(base + "/ws") as ws:
                    await ws.send("hello")
                    outcomes.append(await ws.recv())
            except InvalidStatus as exc:
                outcomes.append(exc.response.status_code)
        return outcomes

    assert asyncio.run(talk()) == ["hello", "hello", 429]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server on a free port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


@pytest.mark.parametrize(("mode", "status"), [("open", 200), ("closed", 503)])
def test_a_hung_redis_is_not_waited_on_by_every_request(
    silent_server: int, uvicorn_server: ServerFactory, mode: str, status: int
) -> None:
    env = {
        "VELOX_RATELIMIT_BACKEND": "redis",
        "VELOX_RATELIMIT_REDIS_URL": f"redis://127.0.0.1:{silent_server}/0",
        "VELOX_RATELIMIT_REDIS_TIMEOUT": "0.5",
        "VELOX_RATELIMIT_FAILURE_BACKOFF": "60",
        "VELOX_RATELIMIT_ON_STORE_ERROR": mode,
    }
    base = uvicorn_server("hung_app", env, 1)
    with httpx.Client(base_url=base, timeout=10) as client:
        first = client.get("/limited")  # waits for one timeout, then backs off
        started = time.monotonic()
        later = [client.get("/limited") for _ in range(20)]
        elapsed = time.monotonic() - started
    assert first.status_code == status
    assert {r.status_code for r in later} == {status}
    # 20 requests waiting on the 0.5 s timeout would take 10 s; backing off, none waits
    assert elapsed < 5
