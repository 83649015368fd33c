"""Low-priority routes: tried only when none of a router's normal routes answered.

A router's normal routes win first (full matches, then 405 for partial
matches, then slash redirects); only a request that would otherwise get the
router's 404 is offered to its low-priority routes (frontends, mainly), in
order, full match first, then a partial match.

Besides its ``_IncludedRouter`` entry for the normal routes, the
including router gets an ``IncludedLowPriorityRoutes`` entry that rebuilds the
included router's low-priority routes under the include prefix and
dependencies whenever they change. All frontends reachable from a router are
merged into one group, so the longest mount path wins across includes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from veloxapi import params
from veloxapi._frontend.route import FrontendRouteGroup
from veloxapi._route_options import first_limit

if TYPE_CHECKING:
    from veloxapi.routing import APIRouter

_Version = tuple[Any, ...]


class LowPriorityRoutes:
    """One router's low-priority routes, and their effective (expanded) list."""

    __slots__ = ("_cache", "_changes", "routes")

    def __init__(self) -> None:
        self.routes: list[BaseRoute] = []
        self._changes = 0
        self._cache: tuple[_Version, list[BaseRoute]] | None = None

    def mark_changed(self) -> None:
        self._changes += 1

    def version(self) -> _Version:
        included = tuple(
            r.version() for r in self.routes if isinstance(r, IncludedLowPriorityRoutes)
        )
        return (self._changes, len(self.routes), included)

    def effective(self) -> list[BaseRoute]:
        """The routes to try, with included routers expanded and frontends merged."""
        version = self.version()
        cache = self._cache
        if cache is not None and cache[0] == version:
            return cache[1]
        routes = _merge_frontends(self._expanded())
        self._cache = (version, routes)
        return routes

    def _expanded(self) -> Iterator[BaseRoute]:
        for route in self.routes:
            if isinstance(route, IncludedLowPriorityRoutes):
                yield from route.effective_low_priority_routes()
            else:
                yield route

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve the request with a low-priority route; False when none matches."""
        if not self.routes:
            return False
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self.effective():
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                await _handle_with(route, child_scope, scope, receive, send)
                return True
            if match is Match.PARTIAL and partial is None:
                partial = (route, child_scope)
        if partial is None:
            return False
        await _handle_with(partial[0], partial[1], scope, receive, send)
        return True


async def _handle_with(
    route: BaseRoute, child_scope: Scope, scope: Scope, receive: Receive, send: Send
) -> None:
    scope["route"] = route
    scope.update(child_scope)
    await route.handle(scope, receive, send)


def _merge_frontends(routes: Iterator[BaseRoute]) -> list[BaseRoute]:
    merged: list[BaseRoute] = []
    group: FrontendRouteGroup | None = None
    for route in routes:
        if not isinstance(route, FrontendRouteGroup):
            merged.append(route)
        elif group is None:
            group = FrontendRouteGroup(route.routes)
            merged.append(group)
        else:
            group.routes.extend(route.routes)
    return merged


class IncludedLowPriorityRoutes(BaseRoute):
    """An included router's low-priority routes, under the include's prefix and dependencies.

    It sits in the including router's ``routes`` (where it never matches, so it
    can't shadow anything) and in its low-priority list (where it is expanded).
    """

    def __init__(
        self,
        router: APIRouter,
        *,
        prefix: str,
        parent_dependencies: Sequence[params.Depends],
        include_dependencies: Sequence[params.Depends],
        dependency_overrides_provider: Any,
        router_class: type[APIRouter],
        max_body_size: int | None = None,
    ) -> None:
        self.router = router
        self.max_body_size = max_body_size
        self.router_class = router_class
        self.prefix = prefix
        self.parent_dependencies = list(parent_dependencies)
        self.include_dependencies = list(include_dependencies)
        self.dependency_overrides_provider = dependency_overrides_provider
        self._cache: tuple[_Version, list[BaseRoute]] | None = None

    def version(self) -> _Version:
        return self.router._low_priority.version()

    def effective_low_priority_routes(self) -> list[BaseRoute]:
        """The included router's low-priority routes, rebuilt only after they changed."""
        version = self.version()
        cache = self._cache
        if cache is not None and cache[0] == version:
            return cache[1]
        routes = [self._rebased(route) for route in self.router._low_priority.effective()]
        self._cache = (version, routes)
        return routes

    def _rebased(self, route: BaseRoute) -> BaseRoute:
        if isinstance(route, FrontendRouteGroup):
            dependencies = [*self.parent_dependencies, *self.include_dependencies]
            provider = self.dependency_overrides_provider
            return route.rebased(self.prefix, dependencies, provider, self.max_body_size)
        holder = self.router_class(routes=[route])
        target = self.router_class(
            dependencies=self.parent_dependencies,
            dependency_overrides_provider=self.dependency_overrides_provider,
        )
        target.include_router(holder, prefix=self.prefix, dependencies=self.include_dependencies)
        return target.routes[-1]

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        for route in self.effective_low_priority_routes():
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise HTTPException(status_code=404)  # never matched: routing goes through effective()


def include_low_priority(
    parent: APIRouter,
    router: APIRouter,
    *,
    prefix: str,
    dependencies: Sequence[params.Depends],
    router_class: type[APIRouter],
    max_body_size: int | None = None,
) -> IncludedLowPriorityRoutes | None:
    """Make ``router``'s low-priority routes reachable from ``parent`` (for ``include_router``);
    ``router_class`` builds the routers that rebase them. The entry made, if any."""
    if not router._low_priority.routes:
        return None
    entry = IncludedLowPriorityRoutes(
        router,
        prefix=prefix,
        parent_dependencies=parent.dependencies,
        include_dependencies=dependencies,
        dependency_overrides_provider=parent.dependency_overrides_provider,
        router_class=router_class,
        # the included router's limit, else the inclusion's, else the including router's
        max_body_size=first_limit(router.max_body_size, max_body_size, parent.max_body_size),
    )
    parent.routes.append(entry)
    parent._low_priority.routes.append(entry)
    parent._low_priority.mark_changed()
    return entry
