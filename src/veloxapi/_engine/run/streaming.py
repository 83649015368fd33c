"""Generator endpoints: each yielded item becomes a JSON line or a server-sent event."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import anyio
import anyio.lowlevel
from starlette.responses import Response, StreamingResponse
from starlette.types import Send

from veloxapi._engine.run.calls import CallMode
from veloxapi._engine.run.offload import run_sync
from veloxapi.sse import EventSourceResponse, ServerSentEvent, close_body, format_sse_event

if TYPE_CHECKING:
    from veloxapi._engine.run.route_contract import PlannedRoute
    from veloxapi._engine.run.solve import RequestContext

_END = object()


class JSONLinesResponse(StreamingResponse):
    """A JSON Lines stream: one compact JSON value per line."""

    media_type = "application/jsonl"

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            await close_body(self.body_iterator)


def _items(source: Any, mode: CallMode) -> AsyncIterator[Any]:
    if mode is CallMode.SYNC_GEN:
        return _sync_items(source)
    async_source: AsyncIterator[Any] = source
    return async_source


async def _sync_items(source: Iterator[Any]) -> AsyncIterator[Any]:
    """A sync generator stepped in the thread pool, and closed however the stream ends.

    Closing runs the generator's ``finally`` blocks (cursors, files, locks) when
    the client goes away, instead of whenever the garbage collector finds it.
    """
    finished = False
    try:
        while (item := await run_sync(next, source, _END)) is not _END:
            yield item
        finished = True
    finally:
        close = getattr(source, "close", None)
        if not finished and close is not None:
            with anyio.CancelScope(shield=True):
                await run_sync(close)


def stream_response(
    route: PlannedRoute, source: Any, mode: CallMode, ctx: RequestContext
) -> Response:
    items = _items(source, mode)
    response_class = route.response_class_value
    kwargs: dict[str, Any] = {"background": ctx.background}
    if route.status_code is not None:
        kwargs["status_code"] = route.status_code
    if isinstance(response_class, type) and issubclass(response_class, EventSourceResponse):
        events = response_class(_sse_body(route, items), **kwargs)
        events.ping_interval = route.sse_ping_interval()
        response: Response = events
    elif isinstance(response_class, type) and issubclass(response_class, StreamingResponse):
        response = response_class(_raw_body(items), **kwargs)
    else:
        response = JSONLinesResponse(_jsonl_body(route, items), **kwargs)
    return ctx.merge_sub_response(response)


async def _raw_body(items: AsyncIterator[Any]) -> AsyncIterator[Any]:
    try:
        async for item in items:
            yield item
            await anyio.lowlevel.checkpoint()  # an endless generator that never awaits: cancellable
    finally:
        await close_body(items)


async def _jsonl_body(route: PlannedRoute, items: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    serializer = route.stream_serializer
    try:
        async for item in items:
            yield serializer.item_json(item) + b"\n"
            await anyio.lowlevel.checkpoint()
    finally:
        await close_body(items)


async def _sse_body(route: PlannedRoute, items: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    serializer = route.stream_serializer
    try:
        async for item in items:
            if isinstance(item, ServerSentEvent):
                yield item.encode()
            else:
                yield format_sse_event(data_str=serializer.item_json(item).decode())
            await anyio.lowlevel.checkpoint()
    finally:
        await close_body(items)
