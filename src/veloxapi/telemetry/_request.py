"""The state of one observed request or connection, carried in the OpenTelemetry context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry._logs import Logger
from opentelemetry.context import Context
from opentelemetry.trace import Span, Tracer
from starlette.routing import BaseRoute
from starlette.types import Scope
from starlette.websockets import WebSocketDisconnect

from veloxapi.telemetry._api import TelemetryData
from veloxapi.telemetry._templates import route_template

SCOPE_KEY = "fastapi.telemetry"  # FastAPI's key: a mounted app sees the request is observed
CONTEXT_KEY = otel_context.create_key("veloxapi.telemetry.request")


@dataclass(kw_only=True)
class RequestTelemetry:
    """Span, logger and data of one request; ``tracer`` is set when operation spans are on."""

    scope: Scope
    root: str  # the root path the request arrived with, without a trailing "/"
    routes: Sequence[BaseRoute]  # the application's routes
    span: Span | None
    span_method: str
    tracer: Tracer | None = None
    logger: Logger | None = None
    status_code: int | None = None
    data: TelemetryData | None = field(default_factory=TelemetryData)
    exceptions: list[BaseException] = field(default_factory=list, repr=False)

    def route(self) -> str | None:
        """The matched route's template, with the prefixes of the mounts it is under."""
        return route_template(self.scope, self.root, self.routes)

    def note_exception(self, exc: BaseException) -> bool:
        """Remember ``exc``; ``False`` if it was seen already (it is re-raised outwards)."""
        if any(seen is exc for seen in self.exceptions):
            return False
        self.exceptions.append(exc)
        return True


def current_request(context: Context | None = None) -> RequestTelemetry | None:
    value = otel_context.get_value(CONTEXT_KEY, context)
    return value if isinstance(value, RequestTelemetry) else None


def scope_request(scope: Scope) -> RequestTelemetry | None:
    value = scope.get(SCOPE_KEY)
    return value if isinstance(value, RequestTelemetry) else None


# veloxapi's modules that mirror FastAPI's report under FastAPI's name, as the
# instrumentation scope does: dashboards and alerts written for FastAPI match them.
_FASTAPI_MODULES = {"veloxapi.exceptions": "fastapi.exceptions"}


def exception_type(exc: BaseException) -> str:
    """``error.type``: the qualified class name, without ``builtins.``."""
    cls = type(exc)
    module = cls.__module__
    if module == "builtins":
        return cls.__qualname__
    return f"{_FASTAPI_MODULES.get(module, module)}.{cls.__qualname__}"


def normal_close(exc: BaseException) -> bool:
    """A WebSocket closed normally (1000) or because the peer went away (1001)."""
    return isinstance(exc, WebSocketDisconnect) and exc.code in (1000, 1001)


def function_name(function: Any) -> str:
    module = getattr(function, "__module__", type(function).__module__)
    qualname = getattr(function, "__qualname__", type(function).__qualname__)
    return f"{module}.{qualname}"
