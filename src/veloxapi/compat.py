"""Run code written for FastAPI unchanged: ``import fastapi`` gives veloxapi.

After :func:`install`, importing ``fastapi`` or any ``fastapi.X.Y`` returns the
module ``veloxapi`` / ``veloxapi.X.Y`` itself (the same object, registered in
``sys.modules`` under both names), so ``fastapi.routing is veloxapi.routing``
and patching one patches the other. A ``fastapi.X`` with no veloxapi
counterpart fails with the usual ``ModuleNotFoundError`` naming ``fastapi.X``.

The alias takes precedence over an installed FastAPI: once installed, the real
``fastapi`` package can no longer be imported in this process. Installing after
the real ``fastapi`` was imported is refused, because both would then be in use.

Two ways to turn it on:

* call ``veloxapi.compat.install()`` first in the program's entry point, before
  anything imports ``fastapi``;
* run pytest with ``-p veloxapi.compat`` (or ``PYTEST_PLUGINS=veloxapi.compat``),
  which installs it before conftest files and test modules are imported.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

ALIAS = "fastapi"
TARGET = "veloxapi"


def _target_name(fullname: str) -> str | None:
    """``veloxapi.X`` for ``fastapi.X``; None for names outside the ``fastapi`` package."""
    if fullname == ALIAS:
        return TARGET
    if fullname.startswith(ALIAS + "."):
        return TARGET + fullname[len(ALIAS) :]
    return None


class _AliasImporter(MetaPathFinder, Loader):
    """Finds ``fastapi.*`` names and loads them as the matching veloxapi module."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        target_name = _target_name(fullname)
        if target_name is None:
            return None
        target_spec = importlib.util.find_spec(target_name)
        if target_spec is None:
            return None
        spec = ModuleSpec(fullname, self, origin=target_spec.origin, loader_state=target_name)
        spec.submodule_search_locations = target_spec.submodule_search_locations
        return spec

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        target_name: str = spec.loader_state
        return importlib.import_module(target_name)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the veloxapi module was executed when it was imported."""


_IMPORTER = _AliasImporter()


def is_installed() -> bool:
    return _IMPORTER in sys.meta_path


def install() -> None:
    """Make ``fastapi`` and ``fastapi.*`` imports resolve to veloxapi (idempotent)."""
    if is_installed():
        return
    loaded = sys.modules.get(ALIAS)
    if loaded is not None and not loaded.__name__.startswith(TARGET):
        raise RuntimeError(
            f"The real {ALIAS!r} package was already imported from {loaded.__file__!r}; "
            "veloxapi.compat.install() must run before anything imports fastapi. "
            "Call it first in your entry point, or run pytest with -p veloxapi.compat."
        )
    sys.meta_path.insert(0, _IMPORTER)


def pytest_load_initial_conftests(early_config: Any, parser: Any, args: list[str]) -> None:
    """Pytest hook (``-p veloxapi.compat``): install before conftests are imported."""
    install()


__all__ = ["install", "is_installed"]
