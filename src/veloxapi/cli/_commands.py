"""The ``velox`` subcommands: one table, name -> ``"module:attribute"``.

Each entry names a :class:`click.Command` that is imported only when that
command runs (or its help is shown), so ``velox --help`` stays fast and a
missing optional dependency only affects the command that needs it. Add a
command by adding a line here; keep the table sorted.
"""

from __future__ import annotations

COMMANDS: dict[str, str] = {
    "db": "veloxapi.cli.db:db",
    "dev": "veloxapi.cli.serve:dev",
    "new": "veloxapi.cli.new:new",
    "openapi": "veloxapi.cli.openapi:openapi",
    "routes": "veloxapi.cli.routes:routes",
    "run": "veloxapi.cli.serve:run",
    "sbom": "veloxapi.cli.sbom:sbom",
    "worker": "veloxapi.cli.worker:worker",
}

__all__ = ["COMMANDS"]
