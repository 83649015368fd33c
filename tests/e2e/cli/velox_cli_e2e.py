"""Helpers of the ``velox`` end-to-end tests: a running command, apps written to disk."""

from __future__ import annotations

import subprocess
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import httpx

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
