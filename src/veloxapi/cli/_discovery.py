"""Finding the application to serve: a file, a package, or ``module:attribute``.

``velox dev`` / ``velox run`` accept what FastAPI's command line accepts:

* nothing: the first of :data:`DEFAULT_FILES` that exists in the current directory;
* a path to a ``.py`` file or a package directory (its ``__init__.py``);
* ``module.path:attribute`` (or ``path/to/file.py:attribute``).

A path is turned into an importable module name by walking up through the
directories that hold an ``__init__.py``; the directory above the top package
goes on ``sys.path``. Without an attribute, the app is the first of
:data:`APP_NAMES` that is an ASGI application object, else the only such
object in the module.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

DEFAULT_FILES = ("main.py", "app.py", "api.py", "app/main.py", "app/app.py", "app/api.py")
APP_NAMES = ("app", "api")


class AppNotFound(Exception):
    """The application could not be located or imported; the message says why and what to do."""


@dataclass(frozen=True)
class AppTarget:
    """An importable module, the attribute holding the app (None: search) and its sys.path entry."""

    module: str
    attribute: str | None
    app_dir: str

    def describe(self) -> str:
        return f"{self.module}:{self.attribute}" if self.attribute else self.module


def resolve_target(
    spec: str | None, attribute: str | None = None, cwd: Path | None = None
) -> AppTarget:
    """Turn the command-line argument into an :class:`AppTarget` (nothing imported yet)."""
    base = cwd or Path.cwd()
    if spec is None:
        return _from_path(_default_file(base), attribute)
    location, colon, named = spec.rpartition(":") if ":" in spec else (spec, "", "")
    if colon and not _is_windows_drive(spec):
        attribute = named or attribute
    else:
        location = spec
    path = base / location
    if location.endswith(".py") or path.exists():
        if not path.exists():
            raise AppNotFound(f"{location!r} does not exist (looked in {base})")
        return _from_path(path.resolve(), attribute)
    if not all(part.isidentifier() for part in location.split(".")):
        raise AppNotFound(
            f"{spec!r} is neither a file, a package directory nor 'module.path:attribute'"
        )
    return AppTarget(module=location, attribute=attribute, app_dir=str(base))


def _is_windows_drive(spec: str) -> bool:
    return len(spec) > 2 and spec[1] == ":" and spec[2] in "\\/"


def _default_file(base: Path) -> Path:
    for name in DEFAULT_FILES:
        candidate = base / name
        if candidate.is_file():
            return candidate
    tried = ", ".join(DEFAULT_FILES)
    raise AppNotFound(
        f"No application file found in {base} (tried {tried}); "
        "pass a path or 'module:attribute', e.g. 'velox dev src/service/main.py'"
    )


def _from_path(path: Path, attribute: str | None) -> AppTarget:
    path = path.resolve()
    if path.name == "__init__.py":
        path = path.parent
    if path.is_dir() and not (path / "__init__.py").is_file():
        raise AppNotFound(f"{path} is a directory without __init__.py; pass the .py file")
    parts, top = [path.stem if path.is_file() else path.name], path.parent
    while (top / "__init__.py").is_file():
        parts.insert(0, top.name)
        top = top.parent
    return AppTarget(module=".".join(parts), attribute=attribute, app_dir=str(top))


def import_app(target: AppTarget, *, compat: bool = False) -> tuple[Any, str]:
    """Import the target's module and return ``(app, attribute name)``."""
    if compat:
        from veloxapi.compat import install

        install()
    if target.app_dir not in sys.path:
        sys.path.insert(0, target.app_dir)
    module = _import_module(target, compat)
    if target.attribute is not None:
        return _named(module, target), target.attribute
    return _search(module)


def _import_module(target: AppTarget, compat: bool) -> Any:
    try:
        return importlib.import_module(target.module)
    except ModuleNotFoundError as exc:
        if exc.name == "fastapi" and not compat:
            raise AppNotFound(
                f"{target.module} imports 'fastapi'; serve it unchanged on veloxapi with "
                "--compat (or change its imports to 'veloxapi')"
            ) from exc
        if exc.name and target.module.startswith(exc.name):
            raise AppNotFound(
                f"Cannot import module {target.module!r} (searched {target.app_dir} "
                "and the installed packages)"
            ) from exc
        raise


def _named(module: Any, target: AppTarget) -> Any:
    attribute = target.attribute or ""
    app = getattr(module, attribute, None)
    if app is None:
        found = ", ".join(_asgi_apps(module)) or "none"
        raise AppNotFound(
            f"Module {target.module!r} has no attribute {attribute!r} "
            f"(ASGI applications in it: {found})"
        )
    if not callable(app):
        raise AppNotFound(f"{target.describe()} is {type(app).__name__}, not an ASGI app")
    return app


def _asgi_apps(module: Any) -> list[str]:
    return [name for name, value in vars(module).items() if isinstance(value, Starlette)]


def _search(module: Any) -> tuple[Any, str]:
    for name in APP_NAMES:
        value = getattr(module, name, None)
        if isinstance(value, Starlette):
            return value, name
    found = _asgi_apps(module)
    if len(found) == 1:
        return getattr(module, found[0]), found[0]
    tried = " and ".join(repr(n) for n in APP_NAMES)
    if found:
        raise AppNotFound(
            f"Module {module.__name__!r} has several applications ({', '.join(found)}) and none "
            f"is named {tried}; pick one with '{module.__name__}:NAME' or --app NAME"
        )
    raise AppNotFound(
        f"No application found in module {module.__name__!r} ({module.__file__}): tried the "
        f"names {tried} and any VeloxAPI/Starlette instance; pass '{module.__name__}:NAME' "
        "or --app NAME"
    )


__all__ = ["APP_NAMES", "DEFAULT_FILES", "AppNotFound", "AppTarget", "import_app", "resolve_target"]
