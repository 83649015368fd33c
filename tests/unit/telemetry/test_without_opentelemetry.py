"""Without OpenTelemetry installed: apps run without it; asking for telemetry names the extra."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Runs in a fresh interpreter where importing opentelemetry fails, as if it weren't installed.
_BLOCK = """
import sys
from importlib.abc import MetaPathFinder

class NoOpenTelemetry(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, NoOpenTelemetry())
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    script = _BLOCK + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )


def test_an_app_without_telemetry_never_imports_it() -> None:
    result = _run(
        """
        from veloxapi import FastAPI
        from veloxapi.telemetry import get_telemetry_data
        from veloxapi.testclient import TestClient

        app = FastAPI()

        @app.get("/")
        def root():
            return get_telemetry_data()

        with TestClient(app) as client:
            assert client.get("/").json() is None
        assert not any(name.startswith("opentelemetry") for name in sys.modules)
        print("served")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "served"


def test_asking_for_telemetry_names_the_extra_to_install() -> None:
    result = _run(
        """
        from veloxapi import FastAPI
        from veloxapi.exceptions import FastAPIError

        try:
            FastAPI(telemetry={"operation_spans": False})
        except FastAPIError as exc:
            print(exc)
        """
    )
    assert result.returncode == 0, result.stderr
    assert 'pip install "veloxapi[otel]"' in result.stdout
