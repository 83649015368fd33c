"""Server-Sent Events: the event model, its wire format and the response class.

An endpoint declared with ``response_class=EventSourceResponse`` yields items;
each becomes one event. A yielded :class:`ServerSentEvent` sets the event's
fields itself; any other value becomes the event's ``data``, as JSON.

The wire format (``text/event-stream``) is a block of ``field: value`` lines
ended by a blank line. A value containing line breaks is written as several
lines of the same field, which the client joins back with ``\\n``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

import anyio
from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from starlette.background import BackgroundTask
from starlette.responses import ContentStream, StreamingResponse
from starlette.types import Message, Send

from veloxapi.encoders import untyped_json

KEEPALIVE_COMMENT = b": ping\n\n"
"""Sent when the stream has been idle for a while, so proxies keep the connection open."""

_PING_MESSAGE: Message = {
    "type": "http.response.body",
    "body": KEEPALIVE_COMMENT,
    "more_body": True,
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class ServerSentEvent(BaseModel):
    """One event of an event stream, with every field the protocol defines.

    ``data`` is sent as JSON; ``raw_data`` is sent as it is (for text that is
    not JSON). ``comment`` lines are ignored by clients but keep the connection
    alive. ``retry`` is the reconnection delay in milliseconds.
    """

    data: Any = None
    raw_data: str | None = None
    event: str | None = None
    id: str | None = None
    retry: Annotated[int, Field(ge=0)] | None = None
    comment: str | None = None

    @field_validator("event", "id")
    @classmethod
    def _single_line(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and _LINE_BREAK.search(value):
            raise ValueError(f"SSE '{info.field_name}' must be a single line, got {value!r}")
        return value

    @field_validator("id")
    @classmethod
    def _no_null(cls, value: str | None) -> str | None:
        if value is not None and "\0" in value:
            raise ValueError(f"SSE 'id' must not contain a null character, got {value!r}")
        return value

    @model_validator(mode="after")
    def _data_or_raw_data(self) -> ServerSentEvent:
        if self.raw_data is not None and "data" in self.model_fields_set:
            raise ValueError(
                "Cannot set both 'data' and 'raw_data' on a ServerSentEvent; "
                "use 'data' for JSON values or 'raw_data' for text sent as is"
            )
        return self

    def data_text(self) -> str | None:
        """The ``data`` field as it goes on the wire, or None when the event has none."""
        if self.raw_data is not None:
            return self.raw_data
        if "data" in self.model_fields_set:
            return untyped_json(self.data)
        return None

    def encode(self) -> bytes:
        """The event in ``text/event-stream`` format."""
        return format_sse_event(
            data_str=self.data_text(),
            event=self.event,
            id=self.id,
            retry=self.retry,
            comment=self.comment,
        )


def format_sse_event(
    *,
    data_str: str | None = None,
    event: str | None = None,
    id: str | None = None,
    retry: int | None = None,
    comment: str | None = None,
) -> bytes:
    """Write one event; ``data_str`` and ``comment`` may span several lines."""
    lines: list[str] = []
    if comment is not None:
        lines.extend(f": {line}" for line in _LINE_BREAK.split(comment))
    if event is not None:
        lines.append(f"event: {event}")
    if data_str is not None:
        lines.extend(f"data: {line}" for line in _LINE_BREAK.split(data_str))
    if id is not None:
        lines.append(f"id: {id}")
    if retry is not None:
        lines.append(f"retry: {retry}")
    lines.append("\n")
    return "\n".join(lines).encode()


class EventSourceResponse(StreamingResponse):
    """A ``text/event-stream`` response whose body is already-encoded events.

    Caching and proxy buffering (``X-Accel-Buffering``, read by nginx) are
    turned off so that each event reaches the client as soon as it is sent.
    When ``ping_interval`` is set (generator endpoints set it), a keep-alive
    comment is sent after that many seconds without an event. The body is
    iterated in a single task, so an endpoint's generator may hold cancel
    scopes, task groups and context variables across its yields.
    """

    media_type = "text/event-stream"
    ping_interval: float | None = None
    """Seconds of silence after which a keep-alive comment is sent; None sends none."""

    def __init__(
        self,
        content: ContentStream,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        merged = dict(headers or {})
        given = {name.lower() for name in merged}
        for name, value in _STREAM_HEADERS.items():
            if name.lower() not in given:
                merged[name] = value
        super().__init__(content, status_code, merged, media_type, background)

    async def stream_response(self, send: Send) -> None:
        try:
            await self._stream_events(send)
        finally:
            await close_body(self.body_iterator)

    async def _stream_events(self, send: Send) -> None:
        if self.ping_interval is None:
            await super().stream_response(send)
            return
        keepalive = _KeepAlive(send, self.ping_interval)
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(keepalive.run)
                await super().stream_response(keepalive.send)
                tasks.cancel_scope.cancel()
        except BaseExceptionGroup as group:  # the body's own error, not wrapped in a group
            if len(group.exceptions) != 1:
                raise
            error = group.exceptions[0]
            raise error from error.__cause__


async def close_body(body: object) -> None:
    """Close a response body that is an async generator, even while being cancelled.

    A body left suspended by a client that went away would otherwise keep its
    ``finally`` blocks (and the endpoint's) pending until a garbage collection.
    """
    aclose = getattr(body, "aclose", None)
    if aclose is not None:
        with anyio.CancelScope(shield=True):
            await aclose()


class _KeepAlive:
    """Wraps ``send``; a keep-alive comment goes out whenever the body stays silent too long."""

    def __init__(self, send: Send, interval: float) -> None:
        self._send = send
        self._interval = interval
        self._lock = anyio.Lock()
        self._started = anyio.Event()
        self._finished = False
        self._last_sent = 0.0

    async def send(self, message: Message) -> None:
        async with self._lock:
            await self._send(message)
            self._last_sent = anyio.current_time()
            self._finished = message["type"] == "http.response.body" and not message.get(
                "more_body", False
            )
        if message["type"] == "http.response.start":
            self._started.set()

    async def run(self) -> None:
        """Ping each time the stream has been silent for the interval, until it ends."""
        await self._started.wait()
        while not self._finished:
            await anyio.sleep_until(self._last_sent + self._interval)
            async with self._lock:
                if not self._finished and self._silent_for() >= self._interval:
                    await self._send(_PING_MESSAGE)
                    self._last_sent = anyio.current_time()

    def _silent_for(self) -> float:
        return anyio.current_time() - self._last_sent


__all__ = ["KEEPALIVE_COMMENT", "EventSourceResponse", "ServerSentEvent", "format_sse_event"]
