"""Apps written to a temporary folder, for the commands that load one."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

AppFile = Callable[[str], Path]


@pytest.fixture
def app_file(tmp_path: Path) -> Iterator[AppFile]:
    """Write ``source`` to a uniquely named module in tmp_path; returns its path."""
    saved = list(sys.path)

    def write(source: str) -> Path:
        path = tmp_path / f"velox_cli_app_{uuid.uuid4().hex[:8]}.py"
        path.write_text(textwrap.dedent(source))
        return path

    yield write
    sys.path[:] = saved
