"""The inference demo (examples/inference/app.py) under a real uvicorn, per test module."""

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

ROOT = Path(__file__).resolve().parents[3]
DEMO_DIR = ROOT / "examples" / "inference"


@contextmanager
def serve_demo(env: dict[str, str]) -> Iterator[str]:
    """``uvicorn app:app`` from the demo folder with ``env``; yields the base URL."""
    pytest.importorskip("sklearn", reason='the demo needs pip install "veloxapi[inference-demo]"')
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(DEMO_DIR)]
    command += ["--port", str(port), "--log-level", "warning"]
    full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(command, env=full_env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, server)
        yield base_url
    finally:
        stop_process(server)


def _wait_ready(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the demo exited with {server.returncode}")
        try:
            if httpx.get(base_url + "/model", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail("the demo did not start within 30 s")


@pytest.fixture(scope="module")
def demo() -> Iterator[Callable[[dict[str, str]], str]]:
    """``demo(env)`` starts a demo server (stopped with the module) and returns its URL."""
    with ExitStack() as stack:
        yield lambda env: stack.enter_context(serve_demo(env))
