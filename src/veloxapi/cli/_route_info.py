"""What ``velox routes`` shows: each route's methods, path, name and batteries.

Batteries are found by looking at what a route declares, without calling
anything: its dependency tree (security schemes, ``Security()``, the auth
battery's dependencies, :class:`RateLimit`, :class:`Cache`,
``deprecated_route``), ``deprecated=True``, and app-wide settings that apply to
every route (global rate limits). A battery module that the app never imported
cannot be in use, so nothing is imported here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.routing import BaseRoute, Mount

from veloxapi._engine.compile.analysis import Dependant
from veloxapi._live_include import effective_routes
from veloxapi.routing import APIRoute, APIWebSocketRoute
from veloxapi.security.base import SecurityBase

_RATELIMIT = "veloxapi.batteries.ratelimit.limiter"
_CACHE = "veloxapi.batteries.cache.policy"
_AUTH = "veloxapi.batteries.auth"
_DEPRECATION_FACTORY = "deprecation_dependency."


@dataclass
class RouteInfo:
    """One line of ``velox routes``."""

    methods: list[str]
    path: str
    name: str
    batteries: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "methods": self.methods,
            "path": self.path,
            "name": self.name,
            "batteries": self.batteries,
        }


def _class_in(module_name: str, class_name: str) -> type[Any] | None:
    module = sys.modules.get(module_name)
    found = getattr(module, class_name, None) if module is not None else None
    return found if isinstance(found, type) else None


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for child in dependant.dependencies:
        yield from _walk(child)


def _auth_label(node: Dependant) -> str | None:
    call = node.call
    if isinstance(call, SecurityBase):
        return f"auth:{type(call).__name__}"
    module = getattr(call, "__module__", None)  # functions, and instances through their class
    if isinstance(module, str) and module.startswith(_AUTH):
        return f"auth:{getattr(call, '__qualname__', type(call).__name__).split('.')[0]}"
    if node.is_security:
        return "auth:Security"
    return None


def _battery_label(node: Dependant) -> str | None:
    call: Any = node.call
    rate_limit = _class_in(_RATELIMIT, "RateLimit")
    if rate_limit is not None and isinstance(call, rate_limit):
        return f"rate_limit({', '.join(str(rate) for rate in call.rates)})"
    cache = _class_in(_CACHE, "Cache")
    if cache is not None and isinstance(call, cache):
        return f"cache(ttl={call.policy.ttl:g}s)"
    if getattr(call, "__qualname__", "").startswith(_DEPRECATION_FACTORY):
        return "deprecation headers"
    return _auth_label(node)


def _global_labels(app: Any, path: str) -> list[str]:
    limiter = getattr(getattr(app, "state", None), "veloxapi_ratelimit", None)
    settings = getattr(limiter, "settings", None)
    limits = tuple(getattr(settings, "default_limits", ()) or ())
    exempt = tuple(getattr(settings, "exempt_paths", ()) or ())
    if limits and not (exempt and path.startswith(exempt)):
        return [f"rate_limit(global: {', '.join(limits)})"]
    return []


def _dependency_labels(route: APIRoute | APIWebSocketRoute) -> list[str]:
    labels: list[str] = []
    nodes = (node for child in route.planned_dependant().dependencies for node in _walk(child))
    for node in nodes:
        label = _battery_label(node)
        if label is not None and label not in labels:
            labels.append(label)
    if getattr(route, "deprecated", False) and "deprecation headers" not in labels:
        labels.append("deprecated")
    return labels


def _info(app: Any, route: BaseRoute, prefix: str) -> Iterator[RouteInfo]:
    if isinstance(route, Mount):
        for child in effective_routes(route.routes or []):
            yield from _info(app, child, prefix + route.path)
        if not route.routes:
            yield RouteInfo(["MOUNT"], prefix + route.path, route.name or "")
        return
    path = prefix + getattr(route, "path", "")
    if isinstance(route, APIWebSocketRoute):
        yield RouteInfo(["WS"], path, route.name, _dependency_labels(route))
        return
    methods = sorted(getattr(route, "methods", None) or ["WS"])
    name = getattr(route, "name", "") or ""
    labels = _dependency_labels(route) if isinstance(route, APIRoute) else []
    yield RouteInfo(methods, path, name, labels + _global_labels(app, path))


def route_table(app: Any) -> list[RouteInfo]:
    """Every route of ``app`` in matching order, mounted sub-apps' routes included."""
    routes = effective_routes(getattr(app, "routes", []))
    return [info for route in routes for info in _info(app, route, "")]


__all__ = ["RouteInfo", "route_table"]
