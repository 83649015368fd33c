"""Run code written for FastAPI unchanged: ``import fastapi`` gives veloxapi.

After :func:`install`, importing any ``fastapi.X.Y`` returns the module
``veloxapi.X.Y`` itself (the same object, registered in ``sys.modules`` under
both names), so ``fastapi.routing is veloxapi.routing`` and patching one
patches the other. ``fastapi`` itself is a thin view of the ``veloxapi``
package: every name reads through (and assignments write through) to
``veloxapi``, except ``__version__``, which is the FastAPI release veloxapi
mirrors, so libraries that choose code paths by it see what they expect. A
``fastapi.X`` with no veloxapi counterpart fails with the usual
``ModuleNotFoundError`` naming ``fastapi.X``.

While the alias is installed, ``importlib.metadata`` also knows a ``fastapi``
distribution of that version (``version("fastapi")``, ``metadata("fastapi")``,
``distributions()``, ``packages_distributions()``), without FastAPI being
installed; its summary says it is provided by veloxapi.

``logging.getLogger("fastapi")`` is veloxapi's own logger while the alias is
installed (unless a ``fastapi`` logger existed before), so logging configuration
written for FastAPI (levels, handlers, ``assertLogs("fastapi")``) applies to what
veloxapi logs.

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
import logging
import sys
from collections.abc import Iterator, Sequence
from importlib import metadata
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from os import PathLike
from pathlib import Path
from types import ModuleType
from typing import Any

from veloxapi._fastapi_version import FASTAPI_VERSION

ALIAS = "fastapi"
TARGET = "veloxapi"


class _FastAPIView(ModuleType):
    """The ``fastapi`` package: veloxapi's names, FastAPI's ``__version__``."""

    def __getattr__(self, name: str) -> Any:
        return getattr(sys.modules[TARGET], name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _OWN_ATTRIBUTES:
            setattr(sys.modules[TARGET], name, value)
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if name not in _OWN_ATTRIBUTES:
            delattr(sys.modules[TARGET], name)
        if name in self.__dict__:
            super().__delattr__(name)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(sys.modules[TARGET])) | set(self.__dict__))


# Module machinery and the version belong to the view; everything else is veloxapi's.
_OWN_ATTRIBUTES = frozenset(
    {"__name__", "__spec__", "__loader__", "__package__", "__path__", "__file__", "__version__"}
)


class _AliasDistribution(metadata.Distribution):
    """The ``fastapi`` distribution ``importlib.metadata`` reports under compat."""

    def read_text(self, filename: str) -> str | None:
        if filename == "METADATA":
            return (
                "Metadata-Version: 2.1\n"
                f"Name: {ALIAS}\n"
                f"Version: {FASTAPI_VERSION}\n"
                f"Summary: FastAPI's API, provided by veloxapi "
                f"{metadata.version(TARGET)} through veloxapi.compat\n"
            )
        if filename == "top_level.txt":
            return ALIAS + "\n"
        return None

    def locate_file(self, path: str | PathLike[str]) -> Path:
        return Path(sys.modules[TARGET].__file__ or ".").parent / str(path)


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
        target = importlib.import_module(target_name)
        if target_name != TARGET:
            return target
        view = _FastAPIView(ALIAS, target.__doc__)
        for name in ("__spec__", "__loader__", "__package__", "__path__", "__file__"):
            object.__setattr__(view, name, getattr(target, name, None))
        object.__setattr__(view, "__version__", FASTAPI_VERSION)
        return view

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the veloxapi module was executed when it was imported."""

    def find_distributions(
        self, context: metadata.DistributionFinder.Context | None = None
    ) -> Iterator[metadata.Distribution]:
        """The ``fastapi`` distribution, for ``importlib.metadata`` lookups by name or all."""
        name = getattr(context, "name", None)
        if name is None or name.replace("-", "_").lower() == ALIAS:
            yield _AliasDistribution()


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
    _alias_logger()


def _alias_logger() -> None:
    """Register veloxapi's logger under FastAPI's logger name, if that name is free."""
    known = logging.Logger.manager.loggerDict
    if ALIAS not in known:
        known[ALIAS] = logging.getLogger(TARGET)


def pytest_load_initial_conftests(early_config: Any, parser: Any, args: list[str]) -> None:
    """Pytest hook (``-p veloxapi.compat``): install before conftests are imported."""
    install()


__all__ = ["install", "is_installed"]
