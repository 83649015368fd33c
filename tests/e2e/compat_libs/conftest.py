"""Serve an unchanged app built on a FastAPI library, under ``veloxapi.compat``, with uvicorn.

``library_server(module)`` runs ``uvicorn <module>:app`` from this folder with the
libraries of ``requirements.txt`` on the path (``make compat-libs`` installs them into
``.cache/compat-libs``) and returns its base URL once ``/ready`` answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from support.processes import free_port, stop_process
from support.services import unavailable

ROOT = Path(__file__).resolve().parents[3]
LIBS = ROOT / ".cache" / "compat-libs"
APPS = Path(__file__).resolve().parent
_START_TIMEOUT = 30.0


@pytest.fixture(scope="module")
def library_server() -> Iterator[Callable[[str], str]]:
    """Start a library's app module; every server stops with the test module."""
    if not (LIBS / ".installed").exists():
        unavailable(f"the FastAPI ecosystem libraries are missing from {LIBS}: make compat-libs")
    with ExitStack() as stack:

        def start(module: str) -> str:
            port = free_port()
            command = [sys.executable, "-m", "uvicorn", f"{module}:app", "--app-dir", str(APPS)]
            command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
            path = os.pathsep.join([str(ROOT / "src"), str(APPS), str(LIBS)])
            server = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": path})
            stack.callback(stop_process, server)
            url = f"http://127.0.0.1:{port}"
            _wait_until_ready(url, server)
            return url

        yield start


def _wait_until_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the app exited early with code {server.returncode}")
        try:
            if httpx.get(url + "/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"the app did not answer /ready within {_START_TIMEOUT} s")
