"""``velox`` run as a real child process from a temporary folder (see ``velox_cli_e2e``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from velox_cli_e2e import Velox, VeloxProcess

from support.processes import free_port, stop_process


@pytest.fixture
def velox(tmp_path: Path) -> Iterator[Velox]:
    """Start ``velox ARGS --port <free>`` in tmp_path; every process is stopped afterwards."""
    started: list[VeloxProcess] = []

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
