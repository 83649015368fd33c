"""Fixtures shared by the whole test-suite.

* ``live_server``: start an ASGI app under a real uvicorn server on a free loopback
  port (in a background thread) and get its base URL; stopped after the test.
  ``serve_app`` is the same as a context manager, for module- or session-scoped use.
* ``redis_url`` / ``postgres_dsn``: where the real services are. When one is
  unreachable the test is skipped, except under ``CI=true`` where it fails, so CI
  cannot pass by silently skipping the tests that need them.
  Override with ``VELOXAPI_TEST_REDIS_URL`` / ``VELOXAPI_TEST_POSTGRES_DSN``.
* ``redis_prefix``: a Redis key prefix of this test alone, emptied afterwards.
* ``anyio_backend``: async tests run on asyncio.

Helpers that test folders import rather than request are in ``support/``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn

from support.redis_keys import unique_prefix
from support.services import unavailable

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432/test"
_STARTUP_TIMEOUT = 10.0
_CONNECT_TIMEOUT = 2.0


@contextmanager
def serve_app(app: Any, **config: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 and a free port; yield ``http://host:port``.

    Extra keyword arguments go to ``uvicorn.Config`` (e.g. ``lifespan="on"``).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    options: dict[str, Any] = {"log_level": "warning", "lifespan": "auto", **config}
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_started(server, thread)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=_STARTUP_TIMEOUT)
        sock.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn exited before it started; see the log output above")
        if time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start within {_STARTUP_TIMEOUT:g}s")
        time.sleep(0.02)


@pytest.fixture
def live_server() -> Iterator[Callable[..., str]]:
    """``live_server(app, **uvicorn_config) -> base_url``; every server stops after the test."""
    with ExitStack() as stack:

        def start(app: Any, **config: Any) -> str:
            return stack.enter_context(serve_app(app, **config))

        yield start


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _address(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def _require_service(name: str, url: str, default_port: int, env_var: str) -> str:
    host, port = _address(url, default_port)
    try:
        socket.create_connection((host, port), timeout=_CONNECT_TIMEOUT).close()
    except OSError as exc:
        unavailable(
            f"{name} is not reachable at {host}:{port} ({exc}); set {env_var} to point at one"
        )
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a Redis server that answers PING (skips when absent, fails when absent under CI)."""
    import redis

    env_var = "VELOXAPI_TEST_REDIS_URL"
    url = _require_service("Redis", os.environ.get(env_var, DEFAULT_REDIS_URL), 6379, env_var)
    client = redis.Redis.from_url(url, socket_connect_timeout=_CONNECT_TIMEOUT)
    try:
        client.ping()
    except redis.RedisError as exc:
        host, port = _address(url, 6379)
        unavailable(f"Redis at {host}:{port} did not answer PING ({exc}); set {env_var} to fix")
    finally:
        client.close()
    return url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix unique to this test; its keys are deleted afterwards."""
    with unique_prefix(redis_url, "velox-test") as prefix:
        yield prefix


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    """DSN of a running PostgreSQL server (skips when absent, fails when absent under CI)."""
    env_var = "VELOXAPI_TEST_POSTGRES_DSN"
    dsn = os.environ.get(env_var, DEFAULT_POSTGRES_DSN)
    return _require_service("PostgreSQL", dsn, 5432, env_var)
