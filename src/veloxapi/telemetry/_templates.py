"""``http.route``: the template of what served a request, mounts and redirects included.

The router leaves the matched route in ``scope["route"]``. Mounts replace
their matched path in ``root_path`` with the actual values (``/tenants/acme``),
so when a request went through mounts their templates are found again by
matching the request path against the application's mounts. A redirect to
the path with (or without) a trailing slash is reported under the template
of the route it redirects to. This runs once per observed request, at its end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Scope

from veloxapi._engine.route.router_index import served_route
from veloxapi._frontend.route import FrontendRoute
from veloxapi._live_include import effective_routes

_MOUNT_TAIL = "/{path}"


def route_template(scope: Scope, root: str, routes: Sequence[BaseRoute]) -> str | None:
    """The route template of the request in ``scope``; ``root``: its root path on arrival."""
    route = served_route(scope)
    prefix = _prefix(scope, root, routes)
    if isinstance(route, Mount) or route is None:
        if scope.get("type") == "http" and _redirected(scope):
            target = _redirect_template(scope, root, routes)
            if target is not None:
                return target
        return prefix + _MOUNT_TAIL if isinstance(route, Mount) else None
    if isinstance(route, FrontendRoute):
        return prefix + route.path.rstrip("/") + _MOUNT_TAIL
    path_format = getattr(route, "path_format", None)
    return prefix + path_format if isinstance(path_format, str) else None


def _prefix(scope: Scope, root: str, routes: Sequence[BaseRoute]) -> str:
    """``root`` and the templates of the mounts the request went through."""
    current = str(scope.get("root_path", "")).rstrip("/")
    if current == root:
        return root
    templates, _, _ = _through_mounts(_probe(scope, scope["path"], root), routes)
    return root + templates


def _probe(scope: Scope, path: str, root: str) -> dict[str, Any]:
    return {"type": scope["type"], "path": path, "root_path": root, "method": scope.get("method")}


def _through_mounts(
    probe: dict[str, Any], routes: Sequence[BaseRoute]
) -> tuple[str, dict[str, Any], Sequence[BaseRoute]]:
    """Follow the mounts ``probe`` matches: their templates, the inner probe and routes."""
    templates = ""
    while True:
        for candidate in effective_routes(routes):
            if isinstance(candidate, Mount):
                match, child = candidate.matches(probe)
                if match is not Match.NONE:
                    templates += candidate.path_format.removesuffix(_MOUNT_TAIL)
                    probe = {**probe, **child}
                    routes = candidate.routes
                    break
        else:
            return templates, probe, routes


def _redirected(scope: Scope) -> bool:
    state = scope.get("fastapi.telemetry")
    return getattr(state, "status_code", None) in (307, 308)


def _redirect_template(scope: Scope, root: str, routes: Sequence[BaseRoute]) -> str | None:
    """The template of the route the trailing-slash redirect points at."""
    path: str = scope["path"]
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    templates, probe, inner = _through_mounts(_probe(scope, other, root), routes)
    probe["method"] = "GET"
    for candidate in effective_routes(inner):
        if isinstance(candidate, Mount):
            continue
        if candidate.matches(probe)[0] is not Match.NONE:
            path_format = getattr(candidate, "path_format", None)
            if isinstance(path_format, str):
                return root + templates + path_format
    return None
