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

    __slots__ = ("_app_steps", "_key", "_owner", "_plan")

    def __init__(self, owner: str, *, app_steps: bool = True) -> None:
        self._owner = owner
        self._app_steps = app_steps
        self._plan: Plan | None = None
        self._key: Any = None

    def invalidate(self) -> None:
        """Forget the plan: the route's dependency tree changed."""
        self._plan = None

    def plan(self, dependant: Callable[[], Dependant], provider: Any, route: Any = None) -> Plan:
        """The plan for the provider's overrides and contributors as they are now."""
        overrides = getattr(provider, "dependency_overrides", None) if provider else None
        contributors = ()
        if self._app_steps and provider:
            contributors = getattr(provider, "plan_contributors", ())
        key = (tuple(overrides.items()) if overrides else (), len(contributors))
        plan = self._plan
        if plan is None or key != self._key:
            plan = compile_plan(dependant(), overrides, self._owner, contributors, route)
            if self._app_steps and provider:
                # the app's telemetry observer (veloxapi.telemetry), decided before its first
                # request; None without telemetry, and then the plan has no telemetry step
                plan.observer = getattr(provider, "telemetry_observer", None)
            self._plan = plan
            self._key = key
        return plan
