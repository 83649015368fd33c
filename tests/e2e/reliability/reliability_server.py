"""The target app under a real uvicorn process: start, observe, measure, stop.

The server runs as a child process (``python -m uvicorn reliability_app:app``)
so its memory can be measured on its own and its log read back: the checks
look for tracebacks there, and ask the app's :class:`Observer` (``GET
/_observed``) what it answered and what escaped it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[2] / "src"
SUPPORT = HERE.parents[1]
STARTUP_TIMEOUT = 20.0
IDLE_TIMEOUT = 10.0

sys.path.insert(0, str(SUPPORT))  # tests/support, also when run.py runs on its own
from support.processes import free_port, stop_process  # noqa: E402


@dataclass
class Server:
    """A running target: its URL, process and log file."""

    base: str
    process: subprocess.Popen[bytes]
    log_path: Path
    config: str
    _log_offset: int = field(default=0)

    @property
    def host_port(self) -> tuple[str, int]:
        host, port = self.base.removeprefix("http://").split(":")
        return host, int(port)

    def observed(self) -> dict[str, Any]:
        response = httpx.get(f"{self.base}/_observed", timeout=5.0)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def wait_idle(
        self, streams: int | None = None, timeout: float = IDLE_TIMEOUT
    ) -> dict[str, Any]:
        """The Observer's snapshot once no request is in flight (bounded wait).

        With ``streams``, also wait until no more than that many response streams are open.
        """
        deadline = time.monotonic() + timeout
        snapshot = self.observed()
        while time.monotonic() < deadline and (
            snapshot["active"] or (streams is not None and snapshot["streams_open"] > streams)
        ):
            time.sleep(0.05)
            snapshot = self.observed()
        return snapshot

    def new_log(self) -> str:
        """What the server logged since the last call."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            data = log.read()
        self._log_offset += len(data)
        return data.decode("utf-8", "replace")

    def rss(self) -> int:
        """Resident memory of the server process, in bytes."""
        return int(psutil.Process(self.process.pid).memory_info().rss)

    def alive(self) -> bool:
        return self.process.poll() is None


ServerFor = Callable[[str], Server]
"""The suite's fixture: the running server of a configuration."""


def uvicorn_command(port: int, http: str, ws: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "reliability_app:app",
        "--app-dir",
        str(HERE),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--http",
        http,
        "--ws",
        ws,
        "--timeout-keep-alive",
        "2",
        "--timeout-graceful-shutdown",
        "2",
        "--no-server-header",
    ]


@contextmanager
def running_server(config: str, http: str = "auto", ws: str = "auto") -> Iterator[Server]:
    """Serve ``reliability_app`` in ``config`` on a free loopback port until the block ends.

    ``http`` and ``ws`` choose uvicorn's protocol implementations (``--http``, ``--ws``).
    """
    port = free_port()
    env = {
        **os.environ,
        "RELIABILITY_CONFIG": config,
        "PYTHONPATH": os.pathsep.join([str(SRC), str(HERE)]),
        "PYTHONUNBUFFERED": "1",
    }
    with tempfile.TemporaryDirectory(prefix="velox-reliability-") as folder:
        log_path = Path(folder) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                uvicorn_command(port, http, ws), env=env, stdout=log, stderr=subprocess.STDOUT
            )
        server = Server(f"http://127.0.0.1:{port}", process, log_path, config)
        try:
            _wait_started(server)
            yield server
        finally:
            stop_process(process)


def _wait_started(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"uvicorn exited early:\n{server.new_log()}")
        try:
            server.observed()
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not answer within {STARTUP_TIMEOUT:g} s:\n{server.new_log()}")
