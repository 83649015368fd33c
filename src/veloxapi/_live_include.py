"""Router inclusion as FastAPI 0.165 models it: one route entry per ``include_router()``.

``include_router()`` appends one :class:`_IncludedRouter` to the including
router's routes. It holds the included router and what the inclusion adds
(:class:`IncludeContext`: prefix, tags, dependencies, responses, ...). The
routes it serves are *effective contexts*: each route of the included router
as this inclusion sees it, built on first use and rebuilt whenever the
included router's routes, or those of a router included below it, change. So
routes added to a router after it was included are served too ("live").

The original route objects stay in charge: their ``matches()``, ``handle()``
and ``get_route_handler()`` run with the effective context in
``scope["fastapi"]["effective_route_context"]``, and an ``APIRouter``
subclass's own ``matches()``/``handle()`` are called on the way. Where
nobody overrides those, :func:`flat_routes` expands the inclusions in place
so the router's index finds an included route as fast as a direct one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi._engine.route.router_index import (
    EFFECTIVE_ROUTE_CONTEXT_KEY,
    FASTAPI_SCOPE_KEY,
    IndexedRoute,
    RouteList,
    select_context,
)
from veloxapi._route_options import RouteOptions, options_of_router

INCLUDED_ROUTER_KEY = "included_router"
"""The ``scope["fastapi"]`` key naming the inclusion a router is being entered through."""

_MISSING: Any = object()


class LiveRouteList(RouteList):
    """A router's routes; a change also counts as a change of every router including it."""

    def __init__(self, routes: Iterable[BaseRoute] = ()) -> None:
        super().__init__(routes)
        self.including: list[RouteList] = []

    def _changed(self) -> None:
        super()._changed()
        for parent in self.including:
            parent._changed()


# -- the inclusion's options ---------------------------------------------------------------
@dataclass(frozen=True)
class IncludeContext:
    """What one ``include_router()`` adds to every route of ``included_router``: the call's
    options inside the including router's own (:meth:`for_include`); nested inclusions
    fold into one with :meth:`combine`, outer first."""

    included_router: Any
    options: RouteOptions

    @classmethod
    def for_include(cls, parent: Any, included: Any, options: RouteOptions) -> IncludeContext:
        return cls(included, options_of_router(parent).then(options))

    def combine(self, inner: IncludeContext) -> IncludeContext:
        """This inclusion around ``inner``, an inclusion made inside the included router."""
        return IncludeContext(inner.included_router, self.options.then(inner.options))

    def path_for(self, route: Any) -> str:
        return self.options.prefix + str(route.path)


# -- one route as an inclusion sees it -------------------------------------------------------
@dataclass(eq=False)
class EffectiveRouteContext:
    """A route that is not a path operation (a Starlette route, WebSocket route, mount or
    host), as an inclusion sees it: ``starlette_route`` is a copy at the effective path.

    A path operation's effective context is an ``APIRoute`` of its own (built by the
    router), with ``original_route`` and ``starlette_route = None`` like this one.
    """

    original_route: BaseRoute
    starlette_route: BaseRoute
    app: ASGIApp

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        return self.starlette_route.matches(scope)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        return self.starlette_route.url_path_for(name, **path_params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.starlette_route, name)


@dataclass(frozen=True)
class RouteContext:
    """A route as requests and the OpenAPI document see it.

    ``route`` is the route object that was registered (``original_route`` too);
    every other attribute (``path``, ``methods``, ``tags``, ...) is the
    effective one: with the prefixes, tags and dependencies of the inclusions
    the route was reached through. ``get_openapi(routes=...)`` accepts these.
    """

    route: BaseRoute
    _route_context: Any = field(default=None, repr=False)

    @property
    def original_route(self) -> BaseRoute:
        return self.route

    @property
    def effective_route(self) -> Any:
        """The object carrying the effective attributes (a route)."""
        context = self._route_context
        if context is None:
            return self.route
        starlette_route = context.starlette_route
        return context if starlette_route is None else starlette_route

    @property
    def path(self) -> str | None:
        return getattr(self.effective_route, "path", None)

    @property
    def path_format(self) -> str | None:
        return getattr(self.effective_route, "path_format", None)

    @property
    def name(self) -> str | None:
        return getattr(self.effective_route, "name", None)

    @property
    def methods(self) -> set[str] | None:
        return getattr(self.effective_route, "methods", None)

    @property
    def endpoint(self) -> Callable[..., Any] | None:
        return getattr(self.effective_route, "endpoint", None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.effective_route, name)


# -- scope helpers ----------------------------------------------------------------------------
def _fastapi_scope(scope: Scope) -> dict[str, Any]:
    fastapi_scope = scope.setdefault(FASTAPI_SCOPE_KEY, {})
    if not isinstance(fastapi_scope, dict):
        raise TypeError(f"scope[{FASTAPI_SCOPE_KEY!r}] must be a dict, got {fastapi_scope!r}")
    return fastapi_scope


def _restore_fastapi_scope_key(scope: Scope, key: str, previous: Any) -> None:
    """Put ``scope["fastapi"][key]`` back as it was (``previous``; absent if it was absent)."""
    fastapi_scope = scope.get(FASTAPI_SCOPE_KEY)
    if not isinstance(fastapi_scope, dict):
        return
    if previous is _MISSING:
        fastapi_scope.pop(key, None)
    else:
        fastapi_scope[key] = previous


def _update_scope(scope: Scope, child_scope: Scope) -> None:
    """``scope.update(child_scope)``, merging rather than replacing ``scope["fastapi"]``."""
    if FASTAPI_SCOPE_KEY in child_scope:
        child_scope = dict(child_scope)
        inner = child_scope.pop(FASTAPI_SCOPE_KEY)
        if isinstance(inner, dict):
            _fastapi_scope(scope).update(inner)
    scope.update(child_scope)


def _original_matches(context: Any, scope: Scope) -> tuple[Match, Scope]:
    """A path operation's own ``matches()``, called with its effective ``context`` in the
    scope (put back as it was afterwards)."""
    fastapi_scope = _fastapi_scope(scope)
    previous = fastapi_scope.get(EFFECTIVE_ROUTE_CONTEXT_KEY, _MISSING)
    fastapi_scope[EFFECTIVE_ROUTE_CONTEXT_KEY] = context
    try:
        return cast(tuple[Match, Scope], context.original_route.matches(scope))
    finally:
        _restore_fastapi_scope_key(scope, EFFECTIVE_ROUTE_CONTEXT_KEY, previous)


def included_router_in(scope: Scope) -> Any:
    fastapi_scope = scope.get(FASTAPI_SCOPE_KEY)
    return fastapi_scope.get(INCLUDED_ROUTER_KEY) if isinstance(fastapi_scope, dict) else None


# -- the inclusion entry ---------------------------------------------------------------------
_Candidate = Any  # an effective context, or an _IncludedRouter for an inclusion below


@dataclass(eq=False)
class _IncludedRouter(BaseRoute):
    """One ``include_router()`` call, in the including router's routes."""

    original_router: Any
    include_context: IncludeContext
    low_priority: Any = field(default=None, repr=False)
    """The included router's low-priority routes as this inclusion serves them, if any."""
    _effective_routes_lock: Any = field(default_factory=threading.Lock, repr=False)
    _effective_candidates: list[_Candidate] = field(default_factory=list, repr=False)
    _effective_candidates_version: int | None = field(default=None, repr=False)
    _effective_low_priority_routes: list[BaseRoute] = field(default_factory=list, repr=False)
    _effective_low_priority_routes_version: int | None = field(default=None, repr=False)

    def effective_candidates(self) -> list[_Candidate]:
        """The included router's routes as this inclusion serves them, in order; rebuilt
        when they changed (one build at a time, every caller gets the same list)."""
        version = self.original_router._get_routes_version()
        if version == self._effective_candidates_version:
            return self._effective_candidates
        with self._effective_routes_lock:
            version = self.original_router._get_routes_version()
            if version == self._effective_candidates_version:
                return self._effective_candidates
            candidates: list[_Candidate] = []
            for route in self.original_router.routes:
                if isinstance(route, _IncludedRouter):
                    candidates.append(
                        _IncludedRouter(
                            route.original_router,
                            self.include_context.combine(route.include_context),
                        )
                    )
                    continue
                context = self.original_router._build_effective_context(route, self.include_context)
                if context is not None:
                    candidates.append(context)
            self._effective_candidates = candidates
            self._effective_candidates_version = version
            return candidates

    def effective_low_priority_routes(self) -> list[BaseRoute]:
        """The included router's low-priority routes (frontends) as this inclusion serves them."""
        version = self.original_router._get_routes_version()
        if version == self._effective_low_priority_routes_version:
            return self._effective_low_priority_routes
        with self._effective_routes_lock:
            version = self.original_router._get_routes_version()
            if version == self._effective_low_priority_routes_version:
                return self._effective_low_priority_routes
            low_priority = self.low_priority
            routes = (
                [] if low_priority is None else list(low_priority.effective_low_priority_routes())
            )
            self._effective_low_priority_routes = routes
            self._effective_low_priority_routes_version = version
            return routes

    def effective_route_contexts(self) -> Iterator[Any]:
        """Every effective context below this inclusion, nested inclusions expanded."""
        for candidate in self.effective_candidates():
            if isinstance(candidate, _IncludedRouter):
                yield from candidate.effective_route_contexts()
            else:
                yield candidate

    def _match(self, scope: Scope) -> tuple[Match, Scope, BaseRoute | None, Any]:
        """The first full match among the candidates, else the first partial one:
        (match, child scope, the route that serves, its effective context)."""
        partial: tuple[Scope, BaseRoute, Any] | None = None
        for candidate in self.effective_candidates():
            if isinstance(candidate, _IncludedRouter):
                match, child_scope = candidate.matches(scope)
                route: BaseRoute = candidate
                context = None
            elif candidate.starlette_route is None:  # a path operation: it matches itself
                context = candidate
                route = candidate.original_route
                match, child_scope = _original_matches(context, scope)
            else:
                context = candidate
                route = candidate.starlette_route
                match, child_scope = candidate.matches(scope)
            if match is Match.FULL:
                return match, child_scope, route, context
            if match is Match.PARTIAL and partial is None:
                partial = (child_scope, route, context)
        if partial is not None:
            return Match.PARTIAL, partial[0], partial[1], partial[2]
        return Match.NONE, {}, None, None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        fastapi_scope = _fastapi_scope(scope)
        previous = fastapi_scope.get(INCLUDED_ROUTER_KEY, _MISSING)
        fastapi_scope[INCLUDED_ROUTER_KEY] = self
        try:
            match, _ = self.original_router.matches(scope)
            return match, {}
        finally:
            _restore_fastapi_scope_key(scope, INCLUDED_ROUTER_KEY, previous)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        _fastapi_scope(scope)[INCLUDED_ROUTER_KEY] = self
        await self.original_router.handle(scope, receive, send)

    async def _handle_selected(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve ``scope`` with what this inclusion matches (the router's default if nothing)."""
        match, child_scope, route, context = self._match(scope)
        if match is Match.NONE or route is None:
            await self.original_router.default(scope, receive, send)
            return
        _update_scope(scope, child_scope)
        if context is None:  # an inclusion below this one
            await route.handle(scope, receive, send)
            return
        select_context(scope, context)
        scope["route"] = route
        if context.starlette_route is None:
            await route.handle(scope, receive, send)
        else:
            await context.app(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        for context in self.effective_route_contexts():
            try:
                return context.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)


class IncludingRouter:
    """What an ``APIRouter`` does as the target of an inclusion (mixed into APIRouter).

    The router provides ``routes``, ``app`` and ``_build_effective_context(route,
    context)``: one of its routes as an inclusion sees it (None to leave it out).
    """

    routes: Any
    app: Any
    _build_effective_context: Callable[[BaseRoute, IncludeContext], Any]

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "routes" and not isinstance(value, LiveRouteList):
            # a list assigned by hand still tells the routers including this one
            previous = self.__dict__.get("routes")
            value = LiveRouteList(value)
            if isinstance(previous, LiveRouteList):
                value.including = previous.including
                value._changed()
        object.__setattr__(self, name, value)

    def _get_routes_version(self) -> int:
        """Changes so far of these routes and of the routes of every router included below."""
        routes = self.routes
        if isinstance(routes, RouteList):
            return routes.version
        return hash(tuple(map(id, routes)))

    def _contains_router(self, router: Any) -> bool:
        """Whether ``router`` is included in this router, directly or further down."""
        for route in self.routes:
            if isinstance(route, _IncludedRouter) and (
                route.original_router is router or route.original_router._contains_router(router)
            ):
                return True
        return False

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        included = included_router_in(scope)
        if isinstance(included, _IncludedRouter) and included.original_router is self:
            match, child_scope, _, _ = included._match(scope)
            return match, child_scope
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        included = included_router_in(scope)
        if isinstance(included, _IncludedRouter) and included.original_router is self:
            await included._handle_selected(scope, receive, send)
            return
        await self.app(scope, receive, send)


# -- walking routes with inclusions expanded --------------------------------------------------
class _Selecting(BaseRoute):
    """An effective context the router index can't match itself (its route or router
    overrides matching or handling): matched and served as ``_IncludedRouter`` would."""

    def __init__(self, context: Any) -> None:
        self.context = context

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        context = self.context
        if context.starlette_route is not None:
            return cast(tuple[Match, Scope], context.matches(scope))
        return _original_matches(context, scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        context = self.context
        select_context(scope, context)
        if context.starlette_route is None:
            scope["route"] = context.original_route
            await context.original_route.handle(scope, receive, send)
        else:
            scope["route"] = context.starlette_route
            await context.app(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        return self.context.url_path_for(name, **path_params)


def _plain_router(router: Any) -> bool:
    kind = type(router)
    return kind.matches is IncludingRouter.matches and kind.handle is IncludingRouter.handle


def _plain_route(route: BaseRoute) -> bool:
    kind = type(route)
    return kind.matches is IndexedRoute.matches and kind.handle is IndexedRoute.handle


def flat_routes(routes: Sequence[BaseRoute]) -> Iterator[tuple[BaseRoute, BaseRoute]]:
    """``routes`` for the router index: (route to match, route to name in the scope).

    An inclusion nobody customised is expanded in place: a path operation's effective
    context is matched by its own path and names its original route; other
    effective contexts go through :class:`_Selecting`.
    """
    for route in routes:
        if type(route) is _IncludedRouter and _plain_router(route.original_router):
            for candidate in route.effective_candidates():
                if isinstance(candidate, _IncludedRouter):
                    yield from flat_routes([candidate])
                elif candidate.starlette_route is None and _plain_route(candidate.original_route):
                    yield candidate, candidate.original_route
                else:
                    selecting = _Selecting(candidate)
                    yield selecting, selecting
        else:
            yield route, route


def iter_route_contexts(routes: Sequence[Any]) -> Iterator[RouteContext]:
    """Every route of ``routes`` as requests see it, inclusions expanded, in order."""
    for route in routes:
        if isinstance(route, RouteContext):
            yield route
        elif isinstance(route, _IncludedRouter):
            for context in route.effective_route_contexts():
                yield RouteContext(context.original_route, context)
        else:
            yield RouteContext(route)


def effective_routes(routes: Sequence[Any]) -> Iterator[Any]:
    """The route objects carrying the effective attributes of every route of ``routes``."""
    for context in iter_route_contexts(routes):
        yield context.effective_route


def _iter_included_route_candidates(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """``routes`` with inclusions expanded: a copy at the effective path for a route that is
    not a path operation, the original route for one that is."""
    for context in iter_route_contexts(routes):
        inner = context._route_context
        if inner is not None and inner.starlette_route is not None:
            yield inner.starlette_route
        else:
            yield context.route
