"""The end of an observed request: final attributes, status, duration, and the span's end.

It happens once, at the first of: the last response message sent, an
exception, or the application returning without completing a response.
"""

from __future__ import annotations

from time import perf_counter
from typing import Any

from opentelemetry.metrics import Histogram, UpDownCounter
from opentelemetry.trace import StatusCode
from starlette.types import Message, Receive, Send

from veloxapi.telemetry._correlation import REQUEST_ID_ATTRIBUTE, request_id
from veloxapi.telemetry._request import RequestTelemetry, exception_type


class Completion:
    """Tracks one request's response and reports it when it is complete."""

    def __init__(
        self,
        state: RequestTelemetry,
        attributes: dict[str, Any],
        instruments: tuple[Histogram, UpDownCounter] | None,
        *,
        started: float,
    ) -> None:
        self.state = state
        self.attributes = attributes
        self.instruments = instruments
        self.started = started
        self.finished = False
        self.trailers = False
        self.disconnected = False
        # active requests are counted without the protocol version: it can change mid-request
        self.active_attributes = {
            k: v for k, v in attributes.items() if k != "network.protocol.version"
        }
        if instruments is not None:
            instruments[1].add(1, self.active_attributes)

    def watch_send(self, send: Send) -> Send:
        async def watched(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                self.state.status_code = message["status"]
                self.trailers = message.get("trailers", False)
            await send(message)
            last_body = kind == "http.response.body" and not message.get("more_body", False)
            last_trailers = kind == "http.response.trailers" and not message.get(
                "more_trailers", False
            )
            if (
                (last_body and not self.trailers)
                or last_trailers
                or kind == "http.response.pathsend"
            ):
                self.finish()

        return watched

    def watch_receive(self, receive: Receive) -> Receive:
        async def watched() -> Message:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
            return message

        return watched

    def finish_unfinished(self, websocket: bool) -> None:
        """The application returned: a response it did not complete is an error."""
        if self.finished:
            return
        if websocket:
            self.finish()
        elif self.disconnected:
            self.finish(ConnectionError("Client disconnected"))
        else:
            self.finish(RuntimeError("Incomplete ASGI response"))

    def finish(self, error: BaseException | None = None) -> None:
        if self.finished:
            return
        self.finished = True
        state = self.state
        attributes = self.attributes
        route = state.route()
        if route is not None:
            attributes["http.route"] = route
        if state.status_code is not None:
            attributes["http.response.status_code"] = state.status_code
        failed = error is not None or (
            state.scope["type"] == "http"
            and (state.status_code is None or state.status_code >= 500)
        )
        if failed:
            failure = error or (state.exceptions[-1] if state.exceptions else None)
            attributes["error.type"] = (
                exception_type(failure)
                if failure is not None
                else str(state.status_code or "incomplete_response")
            )
        self._report(failed)

    def _report(self, failed: bool) -> None:
        span = self.state.span
        if span is not None:
            if route := self.attributes.get("http.route"):
                span.update_name(f"{self.state.span_method} {route}")
            span.set_attributes(self.attributes)
            identifier = request_id(self.state.scope)
            if identifier is not None:
                span.set_attribute(REQUEST_ID_ATTRIBUTE, identifier)
            if failed:
                span.set_status(StatusCode.ERROR)
        if self.instruments is not None:
            duration, active = self.instruments
            # recorded while the span is current, so exemplars point at it
            duration.record(max(0.0, perf_counter() - self.started), self.attributes)
            active.add(-1, self.active_attributes)
        if span is not None:
            span.end()
