"""A route's compiled plan, compiled again only when what it was compiled from changed.

A plan depends on the route's dependency tree (the route invalidates the cache
when that changes), on the app's dependency overrides and on the plan
contributors the app holds (batteries, telemetry). The app is reached through
the route's ``dependency_overrides_provider``, which may be absent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from veloxapi._engine.compile.analysis import Dependant
from veloxapi._engine.compile.plan import Plan, compile_plan

__all__ = ["PlanCache"]


class PlanCache:
    """One route's plan. ``app_steps=False`` plans the dependencies alone (no contributor
    steps, no telemetry observer), for routes that only run dependencies."""

    __slots__ = ("_app_steps", "_contributors", "_overridden", "_owner", "_plan")

    def __init__(self, owner: str, *, app_steps: bool = True) -> None:
        self._owner = owner
        self._app_steps = app_steps
        self._plan: Plan | None = None
        # what the plan was compiled for: the overrides' items, the number of contributors
        self._overridden: tuple[Any, ...] = ()
        self._contributors = 0

    def invalidate(self) -> None:
        """Forget the plan: the route's dependency tree changed."""
        self._plan = None

    def plan(self, dependant: Callable[[], Dependant], provider: Any, route: Any = None) -> Plan:
        """The plan for the provider's overrides and contributors as they are now."""
        try:  # PERF: benchmarks in-process path_query: no getattr() calls
            overrides = provider.dependency_overrides
            count = len(provider.plan_contributors) if self._app_steps else 0
        except AttributeError:  # no provider, or one without overrides or contributors
            overrides, count = _provided(provider, self._app_steps)
        plan = self._plan
        # PERF: benchmarks in-process path_query: no key built while nothing is overridden
        if plan is not None and count == self._contributors:
            if overrides:
                if tuple(overrides.items()) == self._overridden:
                    return plan
            elif not self._overridden:
                return plan
        return self._compile(dependant, provider, route, overrides, count)

    def _compile(
        self,
        dependant: Callable[[], Dependant],
        provider: Any,
        route: Any,
        overrides: Any,
        count: int,
    ) -> Plan:
        contributors = provider.plan_contributors if count else ()
        plan = compile_plan(dependant(), overrides, self._owner, contributors, route)
        if self._app_steps and provider:
            # the app's telemetry observer (veloxapi.telemetry), decided before its first
            # request; None without telemetry, and then the plan has no telemetry step
            plan.observer = getattr(provider, "telemetry_observer", None)
        self._plan = plan
        self._overridden = tuple(overrides.items()) if overrides else ()
        self._contributors = count
        return plan


def _provided(provider: Any, app_steps: bool) -> tuple[Any, int]:
    """The provider's overrides and number of plan contributors, either possibly absent."""
    if not provider:
        return None, 0
    overrides = getattr(provider, "dependency_overrides", None)
    return overrides, len(getattr(provider, "plan_contributors", ())) if app_steps else 0
