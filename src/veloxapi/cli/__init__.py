"""The ``velox`` command line: ``velox dev``, ``run``, ``routes``, ``openapi``, ``new``.

Needs the ``cli`` extra (click, uvicorn): ``pip install "veloxapi[cli]"``
(``veloxapi[standard]`` includes it). Subcommands are listed in
:mod:`veloxapi.cli._commands` and imported only when used.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

CLI_EXTRA_HINT = 'pip install "veloxapi[cli]"'


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``velox`` console script and ``python -m veloxapi``."""
    try:
        from veloxapi.cli._group import build_cli
    except ImportError as exc:
        sys.stderr.write(f"velox needs {exc.name}, which is not installed: {CLI_EXTRA_HINT}\n")
        raise SystemExit(1) from None
    build_cli().main(args=list(argv) if argv is not None else None, prog_name="velox")


__all__ = ["CLI_EXTRA_HINT", "main"]
