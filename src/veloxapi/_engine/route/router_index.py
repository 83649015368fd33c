"""Find the route for an HTTP request without testing every route's regex.

Starlette tries routes in order and takes the first full match. The index
keeps that rule while skipping most of the work: routes whose path has no
parameters are found by a dict lookup, parameterised routes are only tried when
the request path starts with their literal prefix, and routes the index can't
reason about (mounts, hosts, custom routes) are tried in their turn. Only a
full match is answered here; anything else (405, slash redirects, 404) is left
to Starlette's own router loop, so those cases behave exactly as Starlette's.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from starlette._utils import get_route_path
from starlette.convertors import StringConvertor
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Match, Mount, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

_Candidate = tuple[int, BaseRoute, BaseRoute]
"""Position, the route whose path is matched, the route named in the scope."""
_Entry = tuple[int, str, BaseRoute, BaseRoute]
"""Position, a literal prefix of every path the route matches, the two routes."""

FASTAPI_SCOPE_KEY = "fastapi"
"""The scope entry (a dict) where FastAPI's routing leaves what it selected."""
EFFECTIVE_ROUTE_CONTEXT_KEY = "effective_route_context"
"""Its key for the included route's effective context (the route as its inclusion sees it)."""


def effective_context_of(route: BaseRoute, scope: Scope) -> Any:
    """The effective context in ``scope`` when it is ``route``'s (``route`` was reached
    through an ``include_router()``), else None."""
    fastapi_scope = scope.get(FASTAPI_SCOPE_KEY)
    if type(fastapi_scope) is not dict:
        return None
    context = fastapi_scope.get(EFFECTIVE_ROUTE_CONTEXT_KEY)
    if context is None or getattr(context, "original_route", None) is not route:
        return None
    return context


def served_route(scope: Scope) -> Any:
    """The route that served ``scope`` as its inclusion sees it: the effective context of
    ``scope["route"]`` when it was reached through ``include_router()`` (full path,
    merged tags...), else ``scope["route"]`` itself (None before routing)."""
    route = scope.get("route")
    if route is None:
        return None
    context = effective_context_of(route, scope)
    return route if context is None else context


def select_context(scope: Scope, context: Any) -> None:
    """Record ``context`` as the effective context of the route about to serve ``scope``."""
    fastapi_scope = scope.get(FASTAPI_SCOPE_KEY)
    if type(fastapi_scope) is dict:
        fastapi_scope[EFFECTIVE_ROUTE_CONTEXT_KEY] = context
    else:
        scope[FASTAPI_SCOPE_KEY] = {EFFECTIVE_ROUTE_CONTEXT_KEY: context}


class IndexedRoute(Route):
    """An HTTP route whose match the index computes itself (by dict lookup for a static
    path), unless a subclass overrides ``matches``. A match names the route in the child
    scope, as FastAPI's routes do.

    Reached through an inclusion, the route matches and serves as its effective
    context in the scope says: that context's path, methods and app.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        context = effective_context_of(self, scope)
        if context is None:
            match, child_scope = super().matches(scope)
        else:
            match, child_scope = Route.matches(context, scope)
        if match is not Match.NONE:
            child_scope["route"] = self
        return match, child_scope

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        context = effective_context_of(self, scope)
        if context is None:
            await super().handle(scope, receive, send)
        else:
            await Route.handle(context, scope, receive, send)


class RouteList(list[BaseRoute]):
    """A router's routes, counting changes so the index knows when to rebuild."""

    version = 0

    def _changed(self) -> None:
        self.version += 1


def _mutator(name: str) -> Any:
    original = getattr(list, name)

    def method(self: RouteList, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        self._changed()
        return result

    method.__name__ = name
    return method


for _name in (
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "sort",
    "reverse",
    "__setitem__",
    "__delitem__",
    "__iadd__",
):
    setattr(RouteList, _name, _mutator(_name))


Flatten = Callable[[Sequence[BaseRoute]], Iterable[tuple[BaseRoute, BaseRoute]]]
"""A router's routes as (route to match, route to name in the scope) pairs, with what
``include_router()`` added expanded in place (``veloxapi._live_include``)."""


def _as_is(routes: Sequence[BaseRoute]) -> Iterable[tuple[BaseRoute, BaseRoute]]:
    return ((route, route) for route in routes)


class RouteIndex:
    """A lazily rebuilt index over a router's ``routes`` list."""

    __slots__ = (
        "_any_segment",
        "_by_segment",
        "_dynamic_api",
        "_final",
        "_flat",
        "_flatten",
        "_key",
        "_opaque",
        "_static",
        "_static_api",
    )

    def __init__(self, flatten: Flatten = _as_is) -> None:
        self._flatten = flatten
        self._key: Any = None
        self._flat: list[BaseRoute] = []
        self._static: dict[str, list[_Candidate]] = {}
        self._static_api: set[int] = set()  # ids of static routes whose match we compute here
        self._final: set[int] = set()  # positions of static routes no earlier route can match
        self._dynamic_api: set[int] = set()  # likewise for parameterised APIRoutes
        self._by_segment: dict[str, list[_Entry]] = {}
        self._any_segment: list[_Entry] = []
        self._opaque: list[_Entry] = []

    def flat(self, routes: Sequence[BaseRoute]) -> list[BaseRoute]:
        """The routes requests are matched against, inclusions expanded, in order."""
        key = routes_key(routes)
        if key != self._key:
            self._rebuild(routes)
            self._key = key
        return self._flat

    def _rebuild(self, routes: Sequence[BaseRoute]) -> None:
        self._flat = []
        self._static = {}
        self._static_api = set()
        self._dynamic_api = set()
        self._by_segment = {}
        self._any_segment = []
        self._opaque = []
        for position, (route, owner) in enumerate(self._flatten(routes)):
            self._flat.append(route)
            if type(route).matches is not Route.matches and not _is_api_route(route):
                self._opaque.append((position, _mount_prefix(route), route, owner))
            elif isinstance(route, Route):
                if route.param_convertors:
                    entry = (position, _literal_prefix(route.path), route, owner)
                    segment = _first_segment(entry[1])
                    if segment is None:
                        self._any_segment.append(entry)
                    else:
                        self._by_segment.setdefault(segment, []).append(entry)
                    if _is_api_route(route):
                        self._dynamic_api.add(id(route))
                else:
                    self._static.setdefault(route.path, []).append((position, route, owner))
                    if _is_api_route(route):
                        self._static_api.add(id(route))
            else:
                self._opaque.append((position, "", route, owner))
        self._final = self._final_static_positions()

    def _final_static_positions(self) -> set[int]:
        """The positions of static routes whose full match ends the search: no route
        before them could match their path (a parameterised route whose pattern accepts
        it, a mount or custom route whose prefix allows it)."""
        final: set[int] = set()
        for path, candidates in self._static.items():
            # the same routes find() would try after a static match on this path
            earlier = [
                *self._by_segment.get(path[1:].split("/", 1)[0], ()),
                *self._any_segment,
                *self._opaque,
            ]
            for position, _route, _owner in candidates:
                if not any(
                    other < position and _may_match(route, prefix, path)
                    for other, prefix, route, _ in earlier
                ):
                    final.add(position)
        return final

    def find(self, routes: Sequence[BaseRoute], scope: Scope) -> tuple[BaseRoute, Scope] | None:
        """The first route that fully matches, and its child scope; None if none does.

        For a route reached through an inclusion, the route returned is its effective
        context and the child scope names the original route.
        """
        key = routes_key(routes)
        if key != self._key:
            self._rebuild(routes)
            self._key = key
        path = get_route_path(scope) if scope.get("root_path") else scope["path"]
        best: tuple[int, BaseRoute, Scope] | None = None
        for position, route, owner in self._static.get(path, ()):
            if id(route) in self._static_api:
                # PERF: benchmarks in-process plain_dict: a static path needs no regex
                methods = route.methods  # type: ignore[attr-defined]
                if methods and scope["method"] not in methods:
                    continue
                outer = scope.get("path_params")
                child: Scope = {
                    "endpoint": route.endpoint,  # type: ignore[attr-defined]
                    "path_params": dict(outer) if outer else {},
                    "route": owner,
                }
                if position in self._final:
                    # PERF: benchmarks in-process plain_dict: no later table to look at
                    return route, child
                best = (position, route, child)
                break
            match, child = route.matches(scope)
            if match is Match.FULL:
                best = (position, route, child)
                break
        limit = best[0] if best is not None else len(self._flat)
        # PERF: benchmarks in-process routes_500: only routes that can match this first segment
        candidates: Iterable[_Entry] = self._by_segment.get(path[1:].split("/", 1)[0], ())
        if self._any_segment:
            candidates = heapq.merge(candidates, self._any_segment, key=_position)
        for position, prefix, route, owner in candidates:
            if position >= limit:
                break
            if path.startswith(prefix):
                if id(route) in self._dynamic_api:
                    found = _match_api_route(route, owner, path, scope)
                    if found is not None:
                        best = (position, route, found)
                        limit = position
                        break
                    continue
                match, child = route.matches(scope)
                if match is Match.FULL:
                    best = (position, route, child)
                    limit = position
                    break
        for position, prefix, route, _owner in self._opaque:
            if position >= limit:
                break
            if prefix and not path.startswith(prefix):
                continue
            match, child = route.matches(scope)
            if match is Match.FULL:
                best = (position, route, child)
                break
        if best is None:
            return None
        return best[1], best[2]


def routes_key(routes: Sequence[BaseRoute]) -> Any:
    """What changes when ``routes`` change: a router's list counts its own changes; a
    plain list assigned by user code is compared route by route."""
    if isinstance(routes, RouteList):
        return (id(routes), routes.version)
    return tuple(map(id, routes))


async def answer_wrong_method(
    routes: Sequence[BaseRoute], scope: Scope, receive: Receive, send: Send
) -> bool:
    """405 naming every method the request's path supports, when several routes serve it.

    For a request no route matches fully. Starlette names only the first path-matching
    route's methods; with fewer than two such routes that is all of them, so nothing is
    answered here (False) and the router answers as usual.
    """
    methods: set[str] = set()
    partial = 0
    for route in routes:
        if isinstance(route, Route) and route.methods and route.matches(scope)[0] is Match.PARTIAL:
            partial += 1
            methods.update(route.methods)
    if partial < 2:
        return False
    headers = {"Allow": ", ".join(sorted(methods))}
    if "app" in scope:  # the app's exception handlers answer, as for Starlette's own 405
        raise HTTPException(status_code=405, headers=headers)
    await PlainTextResponse("Method Not Allowed", 405, headers=headers)(scope, receive, send)
    return True


def _match_api_route(route: Any, owner: BaseRoute, path: str, scope: Scope) -> Scope | None:
    """An APIRoute's full match, as ``Route.matches`` computes it, or None.

    PERF: benchmarks in-process path_query: no Match tuple, no second method check.
    """
    found = route.path_regex.match(path)
    if found is None:
        return None
    methods = route.methods
    if methods and scope["method"] not in methods:
        return None
    outer = scope.get("path_params")
    path_params = dict(outer) if outer else {}
    convertors = route.param_convertors
    for key, value in found.groupdict().items():
        convertor = convertors[key]
        # PERF: benchmarks in-process path_query: a plain segment needs no conversion call
        path_params[key] = value if type(convertor) is StringConvertor else convertor.convert(value)
    return {"endpoint": route.endpoint, "path_params": path_params, "route": owner}


def _may_match(route: BaseRoute, prefix: str, path: str) -> bool:
    """Whether an indexed parameterised or opaque route might match ``path``."""
    if not path.startswith(prefix):
        return False
    if isinstance(route, Route) and type(route).matches in (Route.matches, IndexedRoute.matches):
        return route.path_regex.match(path) is not None
    return True  # a mount, host or custom route: it decides per request


def _is_api_route(route: Any) -> bool:
    return isinstance(route, IndexedRoute) and type(route).matches is IndexedRoute.matches


def _mount_prefix(route: BaseRoute) -> str:
    """A path every request a plain Mount can match starts with ("" when unknown)."""
    if type(route) is Mount and "{" not in route.path and route.path:
        return route.path + "/"
    return ""


def _position(entry: _Entry) -> int:
    return entry[0]


def _first_segment(prefix: str) -> str | None:
    """The first path segment every match has, if the literal prefix spells it out whole."""
    rest = prefix[1:] if prefix.startswith("/") else None
    if rest is None or "/" not in rest:
        return None  # e.g. "/items{id}" or "/{id}": the first segment varies
    return rest.split("/", 1)[0]


def _literal_prefix(path: str) -> str:
    return re.split(r"{", path, maxsplit=1)[0]


class IndexedWebSocketRoute(WebSocketRoute):
    """A WebSocket route whose match the index computes itself for a static path, unless
    a subclass overrides ``matches``. A match names the route in the child scope, as
    FastAPI's routes do."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            child_scope["route"] = self
        return match, child_scope


_PLAIN_WEBSOCKET_MATCHES = (WebSocketRoute.matches, IndexedWebSocketRoute.matches)
"""``matches`` functions that match a WebSocket by its path alone."""
_NEVER_WEBSOCKET_MATCHES = (Route.matches, IndexedRoute.matches)
"""``matches`` functions of HTTP routes, which never match a WebSocket scope."""

_StaticWebSocket = tuple[int, WebSocketRoute, bool]
"""Position, a route matching one path only, whether its match names it in the scope."""
_WebSocketEntry = tuple[int, BaseRoute, str]
"""Position, a route, a literal prefix of every path it matches ("" when unknown)."""


class WebSocketIndex:
    """The routes a WebSocket scope can match, in the router's order.

    A plain ``Route`` (an ``APIRoute`` among them) never matches a WebSocket scope, so
    only the others are kept: the first plain route for each static path in a table,
    the rest tried in their turn. First full match wins; anything else is left to
    Starlette's router loop, as for HTTP.
    """

    __slots__ = ("_end", "_index", "_key", "_others", "_static")

    def __init__(self, index: RouteIndex) -> None:
        self._index = index  # the router's HTTP index, for its expanded route list
        self._key: Any = None
        self._static: dict[str, _StaticWebSocket] = {}
        self._others: list[_WebSocketEntry] = []
        self._end = 0  # past the last position

    def _rebuild(self, routes: Sequence[BaseRoute]) -> None:
        self._static = {}
        self._others = []
        flat = self._index.flat(routes)
        self._end = len(flat)
        for position, route in enumerate(flat):
            matches = type(route).matches
            if isinstance(route, Route) and matches in _NEVER_WEBSOCKET_MATCHES:
                continue  # PERF: benchmarks in-process websocket_echo: HTTP routes unseen
            if not (isinstance(route, WebSocketRoute) and matches in _PLAIN_WEBSOCKET_MATCHES):
                self._others.append((position, route, _mount_prefix(route)))
            elif route.param_convertors:
                self._others.append((position, route, _literal_prefix(route.path)))
            else:  # a later route with the same static path can never be reached by it
                names_itself = matches is IndexedWebSocketRoute.matches
                self._static.setdefault(route.path, (position, route, names_itself))

    def find(self, routes: Sequence[BaseRoute], scope: Scope) -> tuple[BaseRoute, Scope] | None:
        key = routes_key(routes)
        if key != self._key:
            self._rebuild(routes)
            self._key = key
        path = get_route_path(scope) if scope.get("root_path") else scope["path"]
        if path.endswith("\n"):
            return None  # Starlette's "$" also matches before a final newline: its loop decides
        # PERF: benchmarks in-process websocket_echo: a static path needs no regex
        static = self._static.get(path)
        limit = self._end if static is None else static[0]
        for position, route, prefix in self._others:
            if position >= limit:
                break
            if prefix and not path.startswith(prefix):
                continue
            match, child = route.matches(scope)
            if match is Match.FULL:
                return route, child
        if static is None:
            return None
        _, found, names_itself = static
        outer = scope.get("path_params")
        child = {"endpoint": found.endpoint, "path_params": dict(outer) if outer else {}}
        if names_itself:
            child["route"] = found
        return found, child
