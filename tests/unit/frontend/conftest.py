"""Fixtures for the frontend tests: a built frontend directory on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

Build = Callable[..., Path]


@pytest.fixture
def build(tmp_path: Path) -> Build:
    """``build("name", {"index.html": "...", "assets/app.js": "..."})`` -> the directory."""

    def make(name: str = "dist", files: dict[str, str] | None = None) -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        for relative, content in (files or {}).items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        return root

    return make
