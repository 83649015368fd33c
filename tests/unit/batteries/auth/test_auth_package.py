"""The package's public surface and its missing-dependency message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import veloxapi.batteries.auth as auth

SRC = Path(__file__).resolve().parents[4] / "src"


def test_all_names_resolve() -> None:
    assert auth.__all__ == sorted(auth.__all__)
    for name in auth.__all__:
        assert getattr(auth, name) is not None, name


def test_missing_extra_names_the_install_command() -> None:
    code = "import sys; sys.modules['jwt'] = None; import veloxapi.batteries.auth"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode != 0
    assert 'pip install "veloxapi[jwt]"' in result.stderr
    assert "needs jwt" in result.stderr
