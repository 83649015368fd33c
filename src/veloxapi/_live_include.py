"""Live router inclusion: routes added to a router after it was included are served too.

``include_router()`` copies each route of the included router into the
including one with the inclusion's prefix, tags, dependencies and responses
(so every route keeps its own compiled plan and the route index stays flat).
An :class:`_IncludedRouter` remembers the inclusion and the copies it made;
the included router's :class:`LiveRouteList` tells it about every change of
its routes, and it copies the new routes (and drops the copies of removed
ones) at the inclusion's place in the including router — which in turn tells
the routers that include *it*. All of this happens at registration; a
request never checks for changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.routing import BaseRoute

from veloxapi._engine.route.router_index import RouteList


class LiveRouteList(RouteList):
    """A router's routes; every change is passed on to the inclusions of the router."""

    def __init__(self, routes: Iterable[BaseRoute] = ()) -> None:
        super().__init__(routes)
        self.watchers: list[_IncludedRouter] = []
        self._held = 0
        self._pending = False

    def _changed(self) -> None:
        super()._changed()
        if self._held:
            self._pending = True
            return
        for watcher in list(self.watchers):
            watcher.sync()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Changes made inside are passed on once, at the end."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._pending:
                self._pending = False
                self._changed()


@dataclass(eq=False)
class _IncludedRouter:
    """One ``include_router()`` call: the router included and the copies made of its routes.

    ``include_one(route)`` adds the copy (or copies) of one route at the end of
    ``parent_routes`` with the inclusion's options.
    """

    original_router: Any
    parent_routes: LiveRouteList
    include_one: Callable[[BaseRoute], None]
    copies: dict[int, tuple[BaseRoute, list[BaseRoute]]] = field(default_factory=dict)

    def sync(self) -> None:
        """Bring the copies in line with the included router's routes, in their order."""
        routes = self.parent_routes
        current = list(self.original_router.routes)
        with routes.held():
            self._drop_removed({id(route) for route in current})
            after: BaseRoute | None = None
            for original in current:
                known = self.copies.get(id(original))
                if known is None:
                    made = self._copy(original, after)
                    self.copies[id(original)] = (original, made)
                else:
                    made = known[1]
                after = made[-1] if made else after

    def _drop_removed(self, current: set[int]) -> None:
        for key, (_original, made) in list(self.copies.items()):
            if key not in current:
                for copy in made:
                    _remove_identical(self.parent_routes, copy)
                del self.copies[key]

    def _copy(self, original: BaseRoute, after: BaseRoute | None) -> list[BaseRoute]:
        """The copies of ``original``, placed right after ``after`` (or at the end)."""
        routes = self.parent_routes
        start = len(routes)
        self.include_one(original)
        made = list(routes[start:])
        if after is None or not made or routes[start - 1] is after:
            return made
        del routes[start:]
        position = _index_of(routes, after)
        routes[position + 1 : position + 1] = made
        return made

    def includes(self, router: Any) -> bool:
        """Whether ``router`` is the included router or is included somewhere below it."""
        if self.original_router is router:
            return True
        return any(inc.includes(router) for inc in self.original_router._included)


def _index_of(routes: list[BaseRoute], route: BaseRoute) -> int:
    return next(i for i, candidate in enumerate(routes) if candidate is route)


def _remove_identical(routes: list[BaseRoute], route: BaseRoute) -> None:
    for index, candidate in enumerate(routes):
        if candidate is route:
            del routes[index]
            return
