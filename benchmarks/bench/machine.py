"""Describe the machine and the package versions each framework's venv runs with."""

import json
import os
import platform
import subprocess
import tomllib
from typing import Any

from bench.envs import PROJECT_DIR, env_for, python_for

PACKAGES = (
    "fastapi",
    "litestar",
    "starlette",
    "pydantic",
    "pydantic-core",
    "msgspec",
    "uvicorn",
    "uvloop",
    "httptools",
    "python-multipart",
)

_VERSIONS_SCRIPT = f"""
import importlib.metadata as m, json, platform
out = {{"python": platform.python_version()}}
for name in {PACKAGES!r}:
    try:
        out[name] = m.version(name)
    except m.PackageNotFoundError:
        pass
print(json.dumps(out))
"""


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float | None:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine_info() -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _mem_total_gib(),
        "kernel": platform.release(),
        "os": platform.platform(),
        "load_average": list(os.getloadavg()),
    }


def _wrk_version() -> str | None:
    try:
        done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10)
    except OSError:
        return None
    first_line = (done.stdout + done.stderr).split("\n", 1)[0]
    return first_line.split(" [", 1)[0].strip() or None


def veloxapi_version() -> str:
    """The project's version, and the commit when the tree is a git checkout with one."""
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())
    version = f"{project['project']['version']} (source tree {PROJECT_DIR / 'src'}"
    try:
        done = subprocess.run(
            ["git", "-C", str(PROJECT_DIR), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except OSError:
        return version + ")"
    commit = done.stdout.strip() if done.returncode == 0 else ""
    return version + (f", commit {commit})" if commit else ")")


def versions(frameworks: list[str]) -> dict[str, Any]:
    """Package versions seen by each framework's interpreter, plus veloxapi's and wrk's."""
    out: dict[str, Any] = {"wrk": _wrk_version()}
    for framework in frameworks:
        try:
            done = subprocess.run(
                [python_for(framework), "-c", _VERSIONS_SCRIPT],
                capture_output=True,
                text=True,
                env=env_for(framework),
                timeout=60,
                check=True,
            )
            out[framework] = json.loads(done.stdout)
        except (OSError, subprocess.SubprocessError, ValueError) as error:
            out[framework] = {"error": str(error)}
        if framework == "veloxapi":
            out[framework]["veloxapi"] = veloxapi_version()
    return out
