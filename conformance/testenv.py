"""The isolated virtual environment the conformance suite runs in.

It holds veloxapi (editable, from the repository) and the test-suite's own
dependencies, and never ``fastapi``: a stamp file records what was installed so
later runs skip pip entirely unless the requirements or pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import venv
from pathlib import Path

_STAMP = ".conformance-stamp"
_MIN_PYTHON = (3, 11)


class ForbiddenPackageError(RuntimeError):
    """Raised when ``fastapi`` ended up installed in the conformance venv."""


def bin_dir(env: Path) -> Path:
    return env / ("Scripts" if sys.platform == "win32" else "bin")


def ensure(env: Path, repo: Path, requirements: Path) -> Path:
    """Create or refresh the venv at ``env``; return its python executable."""
    if sys.version_info < _MIN_PYTHON:
        raise RuntimeError(
            f"python {'.'.join(map(str, _MIN_PYTHON))}+ is needed to build the conformance "
            f"venv, got {sys.version.split()[0]} ({sys.executable})"
        )
    python = bin_dir(env) / "python"
    if not python.exists():
        print(f"creating conformance venv at {env}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(env)
    stamp = env / _STAMP
    wanted = _fingerprint(repo, requirements)
    if not stamp.is_file() or stamp.read_text() != wanted:
        _install(python, repo, requirements)
        stamp.write_text(wanted)
    _check_no_fastapi(python)
    return python


def ensure_reference(env: Path, requirements: Path, version: str) -> Path:
    """The venv where FastAPI ``version`` itself runs the suite, for the baseline."""
    python = bin_dir(env) / "python"
    if not python.exists():
        print(f"creating the FastAPI {version} reference venv at {env}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(env)
    stamp = env / _STAMP
    wanted = hashlib.sha256(requirements.read_bytes() + version.encode()).hexdigest()
    if not stamp.is_file() or stamp.read_text() != wanted:
        pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run([*pip, "install", "--quiet", "--upgrade", "pip"], check=True)
        command = [*pip, "install", "--quiet", "-r", str(requirements), f"fastapi=={version}"]
        subprocess.run(command, check=True)
        stamp.write_text(wanted)
    return python


def _fingerprint(repo: Path, requirements: Path) -> str:
    digest = hashlib.sha256(str(repo.resolve()).encode())  # the editable install's path
    for path in (requirements, repo / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _install(python: Path, repo: Path, requirements: Path) -> None:
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run(
        [*pip, "install", "--quiet", "-r", str(requirements), "-e", str(repo)],
        check=True,
    )


def _check_no_fastapi(python: Path) -> None:
    shown = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "show", "fastapi"],
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode == 0:
        raise ForbiddenPackageError(
            "fastapi is installed in the conformance venv, so the suite would not test "
            f"veloxapi. pip show fastapi says:\n{shown.stdout}\nRemove the requirement that "
            "pulls it in (see Required-by) from conformance/requirements.txt, or install that "
            "package with --no-deps."
        )
