"""The outermost layer of an application with telemetry: one span, metrics and logs per request.

:class:`NativeTelemetry` keeps FastAPI's name and module path
(``fastapi.telemetry._asgi.NativeTelemetry``): integrations replace it to
take over the request layer, so the application looks it up here when it
builds its stack. It starts the ``SERVER`` span (parented by the incoming trace context),
counts the request as active, publishes the request's state for the inner
layers, watches the response to learn its status, and when the last body
message has been sent (or the request failed) sets the final attributes,
records the duration and ends the span.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from time import perf_counter
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi.telemetry._api import TelemetryConfig
from veloxapi.telemetry._attributes import (
    HeaderGetter,
    known_methods,
    redacted_query,
    server_attributes,
)
from veloxapi.telemetry._exceptions import record_exception
from veloxapi.telemetry._finish import Completion
from veloxapi.telemetry._providers import Providers
from veloxapi.telemetry._request import CONTEXT_KEY, SCOPE_KEY, RequestTelemetry, normal_close
from veloxapi.telemetry._runtime import lifespan

_HEADERS = HeaderGetter()


class NativeTelemetry:
    """The application's request layer: ``await native(app=stack, scope=..., ...)``.

    One per application, made from its resolved ``telemetry=`` settings; the
    stack it wraps is given with each call.
    """

    def __init__(self, config: TelemetryConfig) -> None:
        self.config = config
        self.providers = Providers(config)
        self.methods = known_methods()
        # opentelemetry-instrumentation-asgi already instruments the app: don't report twice.
        # Known per stack: its instrumentor wraps the stack when it is (re)built.
        self._checked: Any = None
        self._legacy = False

    async def __call__(self, *, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await lifespan(config=self.config, app=app, scope=scope, receive=receive, send=send)
        elif kind not in ("http", "websocket") or SCOPE_KEY in scope or self._instrumented(scope):
            await app(scope, receive, send)  # a mounted app: the outer one observes it
        elif self.config["exclude"] is not None and self.config["exclude"](scope):
            await self._excluded(app, scope, receive, send)
        else:
            await self._observed(app, scope, receive, send)

    def _instrumented(self, scope: Scope) -> bool:
        stack = getattr(scope.get("app"), "middleware_stack", None)
        if stack is not self._checked:
            self._checked = stack
            self._legacy = _instrumented(stack)
        return self._legacy

    async def _excluded(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = None  # mounted apps skip it too
        # an in-process call from another observed request must not report into it
        token = otel_context.attach(otel_context.set_value(CONTEXT_KEY, None))
        try:
            await app(scope, receive, send)
        finally:
            otel_context.detach(token)
            scope.pop(SCOPE_KEY, None)

    async def _observed(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        config = self.config
        websocket = scope["type"] == "websocket"
        tracer = self.providers.tracer() if config["tracing"] else None
        instruments = self.providers.instruments() if config["metrics"] and not websocket else None
        logger = self.providers.logger() if config["logs"] else None
        if tracer is None and instruments is None and logger is None:
            await app(scope, receive, send)
            return
        method = scope.get("method", "")
        known = method if method in self.methods else "_OTHER"
        attributes = self._base_attributes(scope, known, websocket)
        parent_token = None
        span = None
        if tracer is not None:
            parent = propagate.extract(Headers(scope=scope), getter=_HEADERS)
            parent_token = otel_context.attach(parent)
            span = tracer.start_span(
                "WS" if websocket else ("HTTP" if known == "_OTHER" else known),
                context=parent,
                kind=SpanKind.SERVER,
                attributes=self._span_attributes(scope, attributes, method, known),
            )
        state = RequestTelemetry(
            scope=scope,
            root=str(scope.get("root_path", "")).rstrip("/"),
            routes=getattr(scope.get("app"), "routes", ()),
            span=span,
            span_method="WS" if websocket else ("HTTP" if known == "_OTHER" else known),
            tracer=tracer if config["operation_spans"] else None,
            logger=logger,
        )
        completion = Completion(state, attributes, instruments, started=perf_counter())
        scope[SCOPE_KEY] = state
        token = otel_context.attach(otel_context.set_value(CONTEXT_KEY, state))
        try:
            with _current(span):
                await _run(app, scope, receive, send, completion)
        finally:
            state.data = None
            state.exceptions.clear()
            otel_context.detach(token)
            scope.pop(SCOPE_KEY, None)
            if parent_token is not None:
                otel_context.detach(parent_token)

    @staticmethod
    def _base_attributes(scope: Scope, method: str, websocket: bool) -> dict[str, Any]:
        attributes: dict[str, Any] = {
            "url.scheme": scope.get("scheme", "ws" if websocket else "http")
        }
        if websocket:
            attributes["network.protocol.name"] = "websocket"
        else:
            attributes["http.request.method"] = method
            if scope.get("http_version"):
                attributes["network.protocol.version"] = scope["http_version"]
        return attributes

    @staticmethod
    def _span_attributes(
        scope: Scope, attributes: dict[str, Any], method: str, known: str
    ) -> dict[str, Any]:
        span_attributes = {**attributes, **server_attributes(scope)}
        if scope["type"] == "http":
            span_attributes["url.path"] = scope["path"]
            if scope.get("query_string"):
                span_attributes["url.query"] = redacted_query(scope["query_string"])
            if method != known:
                span_attributes["http.request.method_original"] = method
        return span_attributes


async def _run(app: ASGIApp, scope: Scope, receive: Receive, send: Send, done: Completion) -> None:
    websocket = scope["type"] == "websocket"
    try:
        if websocket:
            await app(scope, receive, send)
        else:
            await app(scope, done.watch_receive(receive), done.watch_send(send))
    except BaseException as exc:
        record_exception(scope, exc)
        done.finish(None if websocket and normal_close(exc) else exc)
        raise
    finally:
        done.finish_unfinished(websocket)


def _current(span: trace.Span | None) -> AbstractContextManager[Any]:
    if span is None:
        return nullcontext()
    return trace.use_span(
        span, end_on_exit=False, record_exception=False, set_status_on_exception=False
    )


def _instrumented(stack: Any) -> bool:
    """Whether opentelemetry-instrumentation-asgi's middleware is in the stack."""
    seen: set[int] = set()
    while stack is not None and id(stack) not in seen:
        seen.add(id(stack))
        cls = type(stack)
        if (
            cls.__module__ == "opentelemetry.instrumentation.asgi"
            and cls.__name__ == "OpenTelemetryMiddleware"
        ):
            return True
        stack = getattr(stack, "app", None)
    return False
