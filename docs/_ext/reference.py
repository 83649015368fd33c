"""Generate one API-reference page per public module of veloxapi, at build time.

A module is public when no part of its dotted name starts with an underscore.
Each page documents the members the module defines (autodoc, from docstrings and
type hints); what a module only re-exports is documented where it is defined.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import FunctionType
from typing import Any

import veloxapi

_OUT = "reference"


def public_modules() -> list[str]:
    """Dotted names of every public module of the installed ``veloxapi`` package."""
    names = ["veloxapi"]
    for info in pkgutil.walk_packages(veloxapi.__path__, prefix="veloxapi."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _page(module: str) -> str:
    lines = [f"# `{module}`", "", "```{eval-rst}", f".. automodule:: {module}", "```", ""]
    exported = _exports(module)
    if exported:
        lines += ["## Names it exports", "", "| name | defined in |", "|---|---|"]
        lines += [f"| `{name}` | `{origin}` |" for name, origin in exported]
        lines.append("")
    return "\n".join(lines)


def _exports(module: str) -> list[tuple[str, str]]:
    """``(name, defining module)`` for each name in the module's ``__all__``."""
    namespace = importlib.import_module(module)
    names = getattr(namespace, "__all__", ())
    found = []
    for name in names:
        value = getattr(namespace, name, None)
        origin = getattr(value, "__module__", None) or module
        found.append((name, origin if isinstance(value, type | FunctionType) else module))
    return found


def _index(modules: list[str]) -> str:
    entries = "\n".join(modules)
    return "\n".join(
        (
            "# API reference",
            "",
            "Generated from the docstrings and type hints of every public module.",
            "",
            "```{toctree}",
            ":maxdepth: 1",
            "",
            entries,
            "```",
            "",
        )
    )


def generate(app: Any) -> None:
    """Write the reference pages into the source tree before Sphinx reads it."""
    out = Path(app.srcdir) / _OUT
    out.mkdir(exist_ok=True)
    modules = public_modules()
    wanted = {f"{name}.md" for name in modules} | {"index.md"}
    for stale in out.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for name in modules:
        _write(out / f"{name}.md", _page(name))
    _write(out / "index.md", _index(modules))


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def setup(app: Any) -> dict[str, bool]:
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True}
