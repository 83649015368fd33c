"""Plan contributors: steps that code outside the engine compiles into a route's plan.

A *plan contributor* is an object held by the application (``app.plan_contributors``)
that the plan compiler asks, once per route plan, what the route needs from it.
It is given a :class:`RouteInfo` (the route, its path template and methods, the
dependency callables it declares, whether any of them is a security dependency)
and answers with a :class:`Contribution`, or ``None`` for nothing:

* ``first``: steps run before every dependency of the route, so before its
  security dependencies (and before its parameters are validated);
* ``after_security``: steps run right after the last security dependency (a
  ``Security(...)`` dependency, a security scheme, or anything depending on
  one), given those dependencies' results; before the endpoint when the route
  has none;
* ``around_endpoint``: hooks wrapping the endpoint call and its response, after
  every dependency has run: a hook may answer without calling the endpoint, or
  look at (and change) the response the endpoint produced;
* ``consumes``: marker dependencies (such as ``Depends(Cache(...))``) whose own
  step the contribution replaces; the compiler leaves them out of the plan.

Steps are compiled into the plan's flat step list like dependencies and run by
the same loop, so a route that no contributor serves has exactly the plan it
would have without contributors. The engine knows nothing about what a
contribution does; the batteries (rate limits, response cache) and telemetry
are contributors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

BatteryStep = Callable[[HTTPConnection, Response, tuple[Any, ...]], Awaitable[None]]
"""``step(connection, response, security_results)``: may raise an ``HTTPException`` to
answer instead of the route; headers set on ``response`` reach the route's response
(as for an injected ``Response``); ``security_results`` holds the results of the
route's security dependencies (empty for ``first`` steps)."""

CallEndpoint = Callable[[], Awaitable[Response]]
EndpointHook = Callable[[Request, CallEndpoint], Awaitable[Response]]
"""``hook(request, call_endpoint) -> response``: ``await call_endpoint()`` runs the
endpoint (and the hooks inside this one) and returns its response."""


@dataclass(frozen=True)
class RouteInfo:
    """What a contributor is told about the route whose plan is compiled."""

    route: Any
    """The registered route (``APIRoute`` / ``APIWebSocketRoute``), read-only."""
    path: str
    """The path template, e.g. ``/items/{item_id}``."""
    methods: frozenset[str]
    """HTTP methods; empty for a WebSocket route."""
    websocket: bool
    calls: tuple[Callable[..., Any], ...]
    """Every dependency callable of the route (overrides applied), in plan order."""
    has_security: bool
    """Whether any dependency is a security dependency."""


@dataclass(frozen=True)
class Contribution:
    """Steps a contributor adds to one route's plan (see the module docs)."""

    first: tuple[BatteryStep, ...] = ()
    after_security: tuple[BatteryStep, ...] = ()
    around_endpoint: tuple[EndpointHook, ...] = ()
    consumes: frozenset[Callable[..., Any]] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.first or self.after_security or self.around_endpoint or self.consumes)


class PlanContributor(Protocol):
    """Anything with ``contribute(route) -> Contribution | None``."""

    def contribute(self, route: RouteInfo) -> Contribution | None: ...


def gather(contributors: Sequence[PlanContributor], route: RouteInfo) -> Contribution:
    """Every contributor's answer for ``route`` as one contribution, in contributor order
    (the first contributor's ``around_endpoint`` hook is the outermost)."""
    found = [c for c in (each.contribute(route) for each in contributors) if c]
    if not found:
        return Contribution()
    return Contribution(
        first=tuple(step for c in found for step in c.first),
        after_security=tuple(step for c in found for step in c.after_security),
        around_endpoint=tuple(hook for c in found for hook in c.around_endpoint),
        consumes=frozenset(call for c in found for call in c.consumes),
    )


def chain(hooks: Sequence[EndpointHook]) -> EndpointHook | None:
    """One hook running ``hooks`` outermost first; ``None`` for no hooks."""
    if not hooks:
        return None
    outer, inner = hooks[0], chain(hooks[1:])
    if inner is None:
        return outer

    async def both(request: Request, call_endpoint: CallEndpoint) -> Response:
        return await outer(request, lambda: inner(request, call_endpoint))

    return both
