"""Fixtures for the end-to-end tests: uvicorn with several worker processes, Redis keys.

``uvicorn_server(module, env, workers)`` runs ``uvicorn <module>:app`` in a child
process, from the folder of the test module that asks for it, and returns its
base URL once every worker has answered; the server stops with the module.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from support.processes import free_port, stop_process
from support.redis_keys import unique_prefix

SRC = Path(__file__).resolve().parents[2] / "src"
_WORKERS_TIMEOUT = 30

ServerFactory = Callable[[str, dict[str, str], int], str]


@pytest.fixture(scope="module")
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix unique to this test module; its keys are deleted afterwards."""
    with unique_prefix(redis_url, "velox-e2e") as prefix:
        yield prefix


@pytest.fixture(scope="module")
def uvicorn_server(request: pytest.FixtureRequest) -> Iterator[ServerFactory]:
    """Start ``uvicorn <module>:app`` from the test module's folder; stopped after the module."""
    app_dir = request.path.parent
    with ExitStack() as stack:

        def start(module: str, env: dict[str, str], workers: int) -> str:
            return stack.enter_context(_serve(app_dir, module, env, workers))

        yield start


@contextmanager
def _serve(app_dir: Path, module: str, env: dict[str, str], workers: int) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", f"{module}:app", "--app-dir", str(app_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "warning"]
    full_env = {**os.environ, **env, "PYTHONPATH": f"{SRC}{os.pathsep}{app_dir}"}
    server = subprocess.Popen(command, env=full_env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_workers(base_url, workers, server)
        yield base_url
    finally:
        stop_process(server)


def _wait_for_workers(base_url: str, workers: int, server: subprocess.Popen[bytes]) -> None:
    """Poll ``/pid`` until ``workers`` distinct processes have answered (30 s at most)."""
    seen: set[str] = set()
    deadline = time.monotonic() + _WORKERS_TIMEOUT
    while time.monotonic() < deadline and len(seen) < workers:
        if server.poll() is not None:
            pytest.fail(f"uvicorn exited early with code {server.returncode}")
        try:
            with httpx.Client(timeout=2) as client:  # a new connection each time
                seen.add(client.get(base_url + "/pid").text)
        except httpx.TransportError:
            time.sleep(0.1)
    if len(seen) < workers:
        pytest.fail(
            f"only {len(seen)} of {workers} uvicorn workers answered within {_WORKERS_TIMEOUT} s"
        )
