"""Where each framework runs: its Python interpreter and import path.

veloxapi runs in the project's dev venv with the source tree on the path (override
with VELOX_PYTHON); FastAPI and the floor in benchmarks/.venv-fastapi; Litestar in
benchmarks/.venv-litestar. Same Pydantic version in all three. The harness itself
(orchestrator, chart, WebSocket load generator) runs in benchmarks/.venv-fastapi.
"""

import os
import re
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"

_PYTHONS = {
    "veloxapi": os.environ.get("VELOX_PYTHON", str(PROJECT_DIR / ".venv" / "bin" / "python")),
    "batteries": os.environ.get("VELOX_PYTHON", str(PROJECT_DIR / ".venv" / "bin" / "python")),
    "fastapi": str(BENCH_DIR / ".venv-fastapi" / "bin" / "python"),
    "fastapi_addons": str(BENCH_DIR / ".venv-fastapi" / "bin" / "python"),
    "litestar": str(BENCH_DIR / ".venv-litestar" / "bin" / "python"),
    "fasterapi": str(BENCH_DIR / ".venv-fasterapi" / "bin" / "python"),
    "floor": str(BENCH_DIR / ".venv-fastapi" / "bin" / "python"),
    "harness": str(BENCH_DIR / ".venv-fastapi" / "bin" / "python"),
}


def bench_python() -> str:
    """The harness's own interpreter (.venv-fastapi), used for the WebSocket load generator."""
    return python_for("fastapi")


def base_framework(framework: str) -> str:
    """The framework a ``bench.load`` variant belongs to (``batteries~metrics`` ->
    ``batteries``, ``veloxapi@router`` -> ``veloxapi``)."""
    return re.split("[~@]", framework, maxsplit=1)[0]


def python_for(framework: str) -> str:
    """The interpreter of ``framework`` (a ``bench.load`` variant: of its framework)."""
    python = _PYTHONS[base_framework(framework)]
    if not Path(python).exists():
        raise FileNotFoundError(
            f"no Python for {framework!r} at {python}; run `make -C benchmarks setup`"
            " (or set VELOX_PYTHON for veloxapi)"
        )
    return python


def env_for(framework: str) -> dict[str, str]:
    paths = [str(BENCH_DIR)]
    if framework == "veloxapi":
        paths.append(str(PROJECT_DIR / "src"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env
