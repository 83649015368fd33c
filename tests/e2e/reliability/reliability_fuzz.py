"""Schemathesis against the running app's own ``/openapi.json``, over loopback only.

Runs schemathesis's command line in a child process: every phase (examples,
coverage, fuzzing, stateful), bounded by ``max_examples`` per operation, with
a fixed seed so a CI failure reproduces, no example database (nothing written
outside a temporary folder) and the demo API key, so authenticated routes are
exercised and ``ignored_auth`` can check they refuse requests without it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass

from reliability_app import API_KEY
from reliability_server import Server

DEFAULT_EXAMPLES = 50
DEFAULT_SEED = 15


@dataclass
class FuzzRun:
    returncode: int
    output: str

    @property
    def passed(self) -> bool:
        return self.returncode == 0


def run_schemathesis(
    server: Server,
    *,
    checks: str = "all",
    exclude: tuple[str, ...] = (),
    max_examples: int = DEFAULT_EXAMPLES,
    seed: int | None = DEFAULT_SEED,
    timeout: float = 120.0,
) -> FuzzRun:
    """Run ``st run`` against ``server``; its exit code and output."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{server.base}/openapi.json",
        "--checks",
        checks,
        "--max-examples",
        str(max_examples),
        "--header",
        f"X-API-Key: {API_KEY}",
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--generation-database",
        "none",
        "--no-color",
    ]
    if exclude:
        command += ["--exclude-checks", ",".join(exclude)]
    if seed is not None:
        command += ["--seed", str(seed)]
    with tempfile.TemporaryDirectory(prefix="velox-schemathesis-") as folder:
        done = subprocess.run(
            command, cwd=folder, capture_output=True, text=True, timeout=timeout, check=False
        )
    return FuzzRun(done.returncode, done.stdout + done.stderr)
