"""The public names: the ``telemetry=`` settings, and the per-request data processors read.

Nothing here imports OpenTelemetry at import time: an application without
telemetry never loads it.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from opentelemetry._logs import LoggerProvider
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

    from veloxapi.requests import Request
    from veloxapi.websockets import WebSocket


class TelemetryConfig(TypedDict, total=False):
    """Settings of ``VeloxAPI(telemetry={...})``; every key is optional.

    - ``tracer_provider`` / ``meter_provider`` / ``logger_provider``: use these
      providers rather than the global ones. veloxapi never shuts down a
      provider it was given.
    - ``tracing``: a span per HTTP request and WebSocket connection (default ``True``).
    - ``metrics``: ``http.server.request.duration`` and
      ``http.server.active_requests`` (default ``True``).
    - ``logs``: log records for request validation failures and unhandled
      exceptions, with their messages and stack traces (default ``True``).
    - ``operation_spans``: child spans for dependency resolution, the
      endpoint, response serialization and background tasks (default ``True``).
    - ``auto_configure``: attach OTLP exporters configured by the standard
      ``OTEL_*`` environment variables at start-up (default: the
      ``FASTAPI_OTEL_AUTO_CONFIGURE`` variable, ``true`` turns it on).
    - ``exclude``: called with the ASGI scope; ``True`` skips telemetry for
      that request or connection.
    """

    tracer_provider: TracerProvider | None
    meter_provider: MeterProvider | None
    logger_provider: LoggerProvider | None
    tracing: bool
    metrics: bool
    logs: bool
    operation_spans: bool
    auto_configure: bool
    exclude: Callable[[MutableMapping[str, Any]], bool] | None


@dataclass(kw_only=True)
class TelemetryData:
    """What the framework knows about the request being handled, for synchronous processors.

    The fields fill in as the request progresses. Treat them as read-only and
    apply your own redaction before exporting any of it: none of it is added
    to spans or log records by veloxapi.
    """

    request: Request | None = None
    """The request, once its endpoint's handler starts."""
    websocket: WebSocket | None = None
    """The WebSocket, once its endpoint's handler starts."""
    body: Any = None
    """The body as read, before validation."""
    values: dict[str, Any] | None = None
    """The resolved arguments, after the dependencies ran."""
    errors: Sequence[Any] | None = None
    """The request validation errors, with the input values that failed."""
