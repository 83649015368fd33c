"""What the engine needs from a route, so the engine never imports the routing module.

``veloxapi.routing`` builds routes that satisfy these protocols; the engine's
handlers, streaming and index talk to routes only through them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from veloxapi._engine.compile.plan import Plan
from veloxapi._engine.run.serialize import ResponseSerializer

__all__ = ["PlannedRoute", "PlannedWebSocketRoute"]


class PlannedWebSocketRoute(Protocol):
    """A WebSocket route: its path template, endpoint and current plan."""

    path: str
    endpoint: Callable[..., Any]

    def current_plan(self) -> Plan: ...


class PlannedRoute(PlannedWebSocketRoute, Protocol):
    """An HTTP route: what its handler needs to run the plan and build the response."""

    status_code: int | None
    serializer: ResponseSerializer
    stream_serializer: ResponseSerializer
    response_class_value: Any
    uses_default_json: bool
    strict_content_type_value: bool

    def sse_ping_interval(self) -> float:
        """Seconds between keep-alive comments of a server-sent-event stream."""
        ...
