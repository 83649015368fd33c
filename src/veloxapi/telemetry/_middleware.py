"""The outermost layer of an application with telemetry: one span, metrics and logs per request.

It starts the ``SERVER`` span (parented by the incoming trace context),
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


class TelemetryMiddleware:
    """Wraps the application's whole stack when telemetry is on."""

    def __init__(self, app: ASGIApp, config: TelemetryConfig) -> None:
        self.app = app
        self.config = config
        self.providers = Providers(config)
        self.methods = known_methods()
        # opentelemetry-instrumentation-asgi already instruments the app: don't report twice.
        # Known at the first request: its instrumentor wraps the stack once it is built.
        self.legacy: bool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await lifespan(
                config=self.config, app=self.app, scope=scope, receive=receive, send=send
            )
        elif kind not in ("http", "websocket") or SCOPE_KEY in scope or self._legacy(scope):
            await self.app(scope, receive, send)  # a mounted app: the outer one observes it
        elif self.config["exclude"] is not None and self.config["exclude"](scope):
            await self._excluded(scope, receive, send)
        else:
            await self._observed(scope, receive, send)

    def _legacy(self, scope: Scope) -> bool:
        if self.legacy is None:
            self.legacy = _instrumented(getattr(scope.get("app"), "middleware_stack", None))
        return self.legacy

    async def _excluded(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = None  # mounted apps skip it too
        # an in-process call from another observed request must not report into it
        token = otel_context.attach(otel_context.set_value(CONTEXT_KEY, None))
        try:
            await self.app(scope, receive, send)
        finally:
            otel_context.detach(token)
            scope.pop(SCOPE_KEY, None)

    async def _observed(self, scope: Scope, receive: Receive, send: Send) -> None:
        config = self.config
        websocket = scope["type"] == "websocket"
        tracer = self.providers.tracer() if config["tracing"] else None
        instruments = self.providers.instruments() if config["metrics"] and not websocket else None
        logger = self.providers.logger() if config["logs"] else None
        if tracer is None and instruments is None and logger is None:
            await self.app(scope, receive, send)
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
                await self._run(scope, receive, send, completion)
        finally:
            state.data = None
            state.exceptions.clear()
            otel_context.detach(token)
            scope.pop(SCOPE_KEY, None)
            if parent_token is not None:
                otel_context.detach(parent_token)

    async def _run(self, scope: Scope, receive: Receive, send: Send, done: Completion) -> None:
        websocket = scope["type"] == "websocket"
        try:
            if websocket:
                await self.app(scope, receive, send)
            else:
                await self.app(scope, done.watch_receive(receive), done.watch_send(send))
        except BaseException as exc:
            record_exception(scope, exc)
            done.finish(None if websocket and normal_close(exc) else exc)
            raise
        finally:
            done.finish_unfinished(websocket)

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
