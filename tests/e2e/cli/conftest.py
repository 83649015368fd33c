"""``velox`` run as a real child process, and apps written to a temporary folder for it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from support.processes import free_port, stop_process

Velox = Callable[..., "VeloxProcess"]


class VeloxProcess:
    """A running ``velox`` command: its base URL, and its output once stopped."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self, path: str = "/openapi.json", timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"velox exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                if httpx.get(self.url + path, timeout=1).status_code < 500:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"velox did not serve within {timeout}s:\n{self.output()}")


def write_app(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


@pytest.fixture
def velox(tmp_path: Path) -> Iterator[Velox]:
    """Start ``velox ARGS --port <free>`` in tmp_path; every process is stopped afterwards."""
    started: list[VeloxProcess] = []

    @contextmanager
    def _nothing() -> Iterator[None]:
        yield

    def start(*args: str, env: dict[str, str] | None = None, wait: bool = True) -> VeloxProcess:
        port = free_port()
        log = tmp_path / f"velox-{port}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "veloxapi", *args, "--port", str(port)],
                cwd=tmp_path,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
            )
        running = VeloxProcess(process, port, log)
        started.append(running)
        if wait:
            running.wait_until_serving()
        return running

    yield start
    for running in started:
        stop_process(running.process)
