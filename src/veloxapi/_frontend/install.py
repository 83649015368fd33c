"""``router.frontend(...)``: serve a built single-page frontend from the API app.

The frontend (a directory with ``index.html`` and its assets, as a bundler
builds it) is mounted at a path and served at low priority: any API route,
WebSocket route, 405 or slash redirect of the router wins over it, wherever
either was registered. Registration checks that the build is there:
``check_dir=True`` raises when it is missing, ``False`` defers the check to
the first request, and ``"auto"`` (the default) warns in development
(``VELOXAPI_ENV`` or ``FASTAPI_ENV`` set to ``development``) and raises
otherwise, so a deployment without its frontend fails at start-up.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from veloxapi import params
from veloxapi._frontend.files import (
    FALLBACKS,
    Fallback,
    FrontendFiles,
    missing_directory_message,
    missing_fallback_message,
)
from veloxapi._frontend.route import FrontendRoute, FrontendRouteGroup

if TYPE_CHECKING:
    from veloxapi.routing import APIRouter

CheckDir = bool | Literal["auto"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def add_frontend(
    router: APIRouter,
    path: str,
    *,
    directory: str | os.PathLike[str],
    fallback: Fallback = "auto",
    check_dir: CheckDir = "auto",
    dependencies: Sequence[params.Depends] | None = None,
) -> None:
    """Register a frontend on ``router`` (the body of ``APIRouter.frontend``)."""
    mount = _mount_path(path)
    if fallback not in FALLBACKS:
        raise AssertionError(
            f"Invalid frontend fallback {fallback!r}: use 'auto', 'index.html', '404.html' or None."
        )
    if check_dir not in (True, False, "auto"):
        raise AssertionError(f"Invalid check_dir {check_dir!r}: use True, False or 'auto'.")
    shown_as = os.fspath(directory)
    resolved = os.path.abspath(shown_as)
    if check_dir is not False:
        _check_build(shown_as, resolved, fallback, strict=check_dir is True)
    files = FrontendFiles(resolved, shown_as=shown_as, fallback=fallback)
    route = FrontendRoute(
        router.prefix + mount,
        files,
        dependencies=[*router.dependencies, *(dependencies or [])],
        dependency_overrides_provider=router.dependency_overrides_provider,
    )
    group = router._frontend_routes
    if group is None:
        group = FrontendRouteGroup()
        router._frontend_routes = group
        router._low_priority_routes.append(group)
    group.routes.append(route)
    router._mark_routes_changed()


def _mount_path(path: str) -> str:
    if not path.startswith("/"):
        raise AssertionError(
            f"A frontend path must start with '/', got {path!r}: use '/' for the site root."
        )
    return path.rstrip("/")


def _check_build(shown_as: str, resolved: str, fallback: Fallback, *, strict: bool) -> None:
    problem = _build_problem(shown_as, resolved, fallback)
    if problem is None:
        return
    if not strict and _in_development():
        warnings.warn(problem, UserWarning, stacklevel=_caller_stacklevel())
        return
    raise RuntimeError(problem)


def _build_problem(shown_as: str, resolved: str, fallback: Fallback) -> str | None:
    if not os.path.isdir(resolved):
        return missing_directory_message(shown_as, resolved)
    if fallback in ("index.html", "404.html") and not os.path.isfile(
        os.path.join(resolved, fallback)
    ):
        return missing_fallback_message(fallback, shown_as, resolved)
    return None


def _in_development() -> bool:
    environment = os.environ.get("VELOXAPI_ENV") or os.environ.get("FASTAPI_ENV") or ""
    return environment.strip().lower() == "development"


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside veloxapi."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level
