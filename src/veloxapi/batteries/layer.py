"""The batteries' one outer ASGI layer: what must run outside routing, fused.

Route-specific battery work (rate limits, the response cache) is compiled into
the route plans (:mod:`veloxapi._engine.compile.contributions`). What concerns every
request, routed or not, runs here, in one layer instead of one middleware per
battery: the request id, global rate limits keyed by address or API key, CORS
preflights, the errors battery's last-resort 500, the response headers (request
id, security headers, ``RateLimit-*``, deprecation, CORS) added in one pass when
the response starts, and the access line and metrics written when it ends.

Each battery's install function prepares its part and hands it to the layer
(:func:`outer_layer`), so imports point one way: every battery may import this
module, and this module imports none of them. The layer is built once, when
the application builds its middleware stack, and does no work at all for a
part that is off. Order of the parts, outside in: request id, access log and
metrics (they see the final status, CORS preflights, 429s and 500s included),
response headers, CORS, errors, global rate limit.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from time import perf_counter_ns
from typing import TYPE_CHECKING, Any

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi._engine.route.exception_middleware import answer_server_error
from veloxapi._engine.route.router_index import served_route
from veloxapi.batteries._asgi import UNMATCHED_ROUTE
from veloxapi.batteries._request_ids import incoming_request_id, new_request_id, request_id_var
from veloxapi.batteries.layer_parts import Prepared

if TYPE_CHECKING:
    from veloxapi.batteries.errors._last_resort import LastResort
    from veloxapi.batteries.logging import AccessLog
    from veloxapi.batteries.metrics import HTTPMetrics, MetricsServer
    from veloxapi.batteries.ratelimit.global_limit import GlobalLimit
    from veloxapi.batteries.request_id import RequestIdSettings

STATE_KEY = "veloxapi_outer_layer"
HeaderList = list[tuple[bytes, bytes]]


@dataclass
class OuterParts:
    """Which parts of the outer layer are on, prepared and handed in by the installs."""

    request_id: RequestIdSettings | None = None
    access_log: AccessLog | None = None
    metrics: HTTPMetrics | None = None
    metrics_server: MetricsServer | None = None
    security_headers: tuple[HeaderList, HeaderList, frozenset[str]] | None = None
    """API headers, documentation-page headers, documentation paths."""
    deprecation: HeaderList | None = None
    cors: CORSMiddleware | None = None
    errors: LastResort | None = None
    global_limit: GlobalLimit | None = None


def outer_layer(app: Any) -> OuterParts:
    """The outer layer's parts of ``app``; the layer is added on first use."""
    parts = getattr(app.state, STATE_KEY, None)
    if parts is None:
        parts = OuterParts()
        setattr(app.state, STATE_KEY, parts)
        app.add_middleware(BatteryLayer, parts=parts)
    assert isinstance(parts, OuterParts)
    return parts


class BatteryLayer:
    """The fused outer layer (see the module docs); built from :class:`OuterParts`."""

    leaves_body_alone = True
    """It never reads the request body nor runs the app in a task group, so no body-limit
    error can surface through it: the application needs no 413 layer around it."""

    answers_server_errors = True
    """As the outermost middleware, the application hands it ServerErrorMiddleware's job
    (``server_errors``) instead of wrapping it in one more layer."""

    def __init__(
        self, app: ASGIApp, parts: OuterParts, server_errors: ServerErrorMiddleware | None = None
    ) -> None:
        self.app = app
        self.parts = parts
        self.prepared = Prepared(parts)
        self.server_errors = server_errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._not_http(scope, receive, send)
            return
        # PERF: benchmarks "batteries" column: one coroutine for the whole request;
        # the parts that are off cost one ``is None`` test each.
        prepared = self.prepared
        sent = LayerSend(prepared, scope, send)
        try:
            request_id = token = None
            if prepared.request_id_header is not None:
                request_id = sent.request_id = self._request_id(scope)
                token = request_id_var.set(request_id)
            done = None
            app_receive = receive
            if prepared.metrics is not None:
                done = prepared.metrics.started(scope["method"])
                app_receive = sent.measure_request(receive)
            start = perf_counter_ns() if prepared.observes else 0
            errors, limit = prepared.errors, prepared.global_limit
            try:
                response: Response | None = None
                if prepared.cors is not None and sent.preflight(scope):
                    response = prepared.cors.preflight_response(
                        request_headers=sent.request_headers
                    )
                elif limit is not None:
                    if limit.immediate:
                        response = limit.refusal_now(scope, sent)
                    else:
                        response = await limit.refusal(scope, sent)
                if response is None:
                    await self.app(scope, app_receive, sent)
                else:
                    await response(scope, app_receive, sent)
            except ClientDisconnect:
                if errors is None:
                    raise
                errors.disconnected(scope)  # nobody to answer: logged, not re-raised
            except Exception as exc:
                if errors is None or sent.started or getattr(scope.get("app"), "debug", False):
                    raise  # the server (or the debug traceback page) takes it from here
                await errors.answer(scope, app_receive, sent, exc)
            finally:
                if done is not None:
                    done()
                if prepared.observes:
                    elapsed_ns = perf_counter_ns() - start
                    route = getattr(served_route(scope), "path", None) or UNMATCHED_ROUTE
                    if prepared.access_log is not None:
                        prepared.access_log.write(
                            scope, route, sent.status, elapsed_ns, sent.size, request_id, True
                        )
                    if prepared.metrics is not None:
                        series = prepared.metrics.series(scope["method"], route)
                        if series is not None:
                            seconds = elapsed_ns / 1e9
                            series.observe(sent.status, seconds, sent.received, sent.size)
                if token is not None:
                    request_id_var.reset(token)
        except Exception as exc:  # ServerErrorMiddleware's job, when the application hands it
            if self.server_errors is None:
                raise
            await answer_server_error(self.server_errors, exc, scope, receive, send, sent.started)
            raise

    async def _not_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket" and self.parts.request_id is not None:
            await self._websocket(scope, receive, send)
        elif kind == "lifespan" and self.prepared.metrics_server is not None:
            await self.app(scope, self.prepared.metrics_server.lifespan_receive(receive), send)
        else:
            await self.app(scope, receive, send)

    def _request_id(self, scope: Scope) -> str:
        prepared = self.prepared
        header = prepared.request_id_header
        assert header is not None
        request_id = incoming_request_id(scope, header, prepared.request_id_max)
        if request_id is None:
            request_id = new_request_id()
        state = scope.get("state")
        if state is None:
            scope["state"] = {"request_id": request_id}
        else:
            state["request_id"] = request_id
        return request_id

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = self._request_id(scope)
        header = self.prepared.request_id_header
        assert header is not None

        async def send_with_id(message: Message) -> None:
            if message["type"] == "websocket.accept":
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != header]
                message["headers"] = [*headers, (header, request_id.encode("latin-1"))]
            await send(message)

        token = request_id_var.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


class LayerSend:
    """The ``send`` the application gets: adds the response headers in one pass when the
    response starts, and remembers the status and body size for the access line and
    metrics. ``status`` stays 500 until a response starts."""

    __slots__ = (
        "_headers",
        "_prepared",
        "_receive",
        "_send",
        "limit_headers",
        "received",
        "request_id",
        "scope",
        "size",
        "started",
        "status",
    )

    def __init__(self, prepared: Prepared, scope: Scope, send: Send) -> None:
        self._prepared = prepared
        self.scope = scope
        self._send = send
        self._headers: Headers | None = None
        self.request_id: str | None = None
        self.limit_headers: HeaderList | None = None
        self.received = 0
        self._receive: Receive | None = None
        self.status = 500
        self.size = 0
        self.started = False

    @property
    def request_headers(self) -> Headers:
        if self._headers is None:
            self._headers = Headers(scope=self.scope)
        return self._headers

    def preflight(self, scope: Scope) -> bool:
        if scope["method"] != "OPTIONS":
            return False
        headers = self.request_headers
        return "origin" in headers and "access-control-request-method" in headers

    def measure_request(self, receive: Receive) -> Receive:
        """``receive``, counting the body's bytes when the request has no Content-Length
        (a chunked body); the size is the header's value otherwise. Either way the
        size ends up in ``received``."""
        for key, value in self.scope["headers"]:
            if key == b"content-length":
                self.received = int(value) if value.isdigit() else 0
                return receive
        self._receive = receive
        return self._counting_receive

    async def _counting_receive(self) -> Message:
        assert self._receive is not None
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
        return message

    def __call__(self, message: Message) -> Awaitable[None]:
        # PERF: benchmarks "batteries" column: returns the inner send's awaitable
        # instead of awaiting it in a coroutine of its own.
        if message["type"] == "http.response.body":
            self.size += len(message.get("body", b""))
        elif message["type"] == "http.response.start":
            self.started = True
            self.status = message["status"]
            message["headers"] = self._prepared.response_headers(
                self, list(message.get("headers", ()))
            )
            cors = self._prepared.cors
            if cors is not None:
                return cors.send(message, self._send, self.request_headers)
        return self._send(message)
