"""A real uvicorn server (subprocess) in front of a real Redis, for the e2e tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

REDIS_URL = os.environ.get("VELOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SRC = Path(__file__).resolve().parents[3] / "src"
HERE = Path(__file__).resolve().parent


def require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required under CI=true: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable: {exc}")


def delete_prefix(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_workers(base_url: str, workers: int, server: subprocess.Popen[bytes]) -> None:
    """Poll ``/pid`` until ``workers`` distinct processes have answered (30 s at most)."""
    seen: set[str] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(seen) < workers:
        if server.poll() is not None:
            pytest.fail(f"uvicorn exited early with code {server.returncode}")
        try:
            with httpx.Client(timeout=2) as client:  # a new connection each time
                seen.add(client.get(base_url + "/pid").text)
        except httpx.TransportError:
            time.sleep(0.1)
    if len(seen) < workers:
        pytest.fail(f"only {len(seen)} of {workers} uvicorn workers answered within 30 s")


ServerFactory = Callable[[str, dict[str, str], int], str]


@pytest.fixture(scope="module")
def uvicorn_server() -> Iterator[ServerFactory]:
    """Start ``uvicorn <module>:app`` from this folder; stopped after the test."""
    servers: list[Iterator[str]] = []

    def start(module: str, env: dict[str, str], workers: int) -> str:
        running = _serve(module, env, workers)
        servers.append(running)
        return next(running)

    yield start
    for running in servers:
        next(running, None)


def _serve(module: str, env: dict[str, str], workers: int) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", f"{module}:app", "--app-dir", str(HERE)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "warning"]
    full_env = {**os.environ, **env, "PYTHONPATH": f"{SRC}{os.pathsep}{HERE}"}
    server = subprocess.Popen(command, env=full_env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_workers(base_url, workers, server)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def redis_prefix() -> Iterator[str]:
    require_redis()
    prefix = f"velox-e2e:{uuid.uuid4().hex}:"
    yield prefix
    delete_prefix(prefix)
