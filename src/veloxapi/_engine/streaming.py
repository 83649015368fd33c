"""Generator endpoints: each yielded item becomes a JSON line or a server-sent event."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import anyio
import anyio.lowlevel
from starlette.concurrency import iterate_in_threadpool
from starlette.responses import Response, StreamingResponse

from veloxapi._engine.calls import CallMode
from veloxapi.sse import KEEPALIVE_COMMENT, EventSourceResponse, ServerSentEvent, format_sse_event

if TYPE_CHECKING:
    from veloxapi._engine.run import RequestContext
    from veloxapi.routing import APIRoute

JSONL_MEDIA_TYPE = "application/jsonl"


def _items(source: Any, mode: CallMode) -> AsyncIterator[Any]:
    if mode is CallMode.SYNC_GEN:
        sync_source: Iterator[Any] = source
        return iterate_in_threadpool(sync_source)
    async_source: AsyncIterator[Any] = source
    return async_source


def stream_response(route: APIRoute, source: Any, mode: CallMode, ctx: RequestContext) -> Response:
    items = _items(source, mode)
    response_class = route.response_class_value
    kwargs: dict[str, Any] = {"background": ctx.background}
    if route.status_code is not None:
        kwargs["status_code"] = route.status_code
    if isinstance(response_class, type) and issubclass(response_class, EventSourceResponse):
        response: Response = response_class(_sse_body(route, items), **kwargs)
    elif isinstance(response_class, type) and issubclass(response_class, StreamingResponse):
        response = response_class(_raw_body(items), **kwargs)
    else:
        response = StreamingResponse(
            _jsonl_body(route, items), media_type=JSONL_MEDIA_TYPE, **kwargs
        )
    sub = ctx.sub_response
    if sub is not None:
        if sub.status_code:
            response.status_code = sub.status_code
        response.headers.raw.extend(sub.headers.raw)
    return response


async def _raw_body(items: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for item in items:
        yield item
        await (
            anyio.lowlevel.checkpoint()
        )  # an endless generator that never awaits stays cancellable


async def _jsonl_body(route: APIRoute, items: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    serializer = route.stream_serializer
    async for item in items:
        yield serializer.item_json(item) + b"\n"
        await anyio.lowlevel.checkpoint()


async def _sse_body(route: APIRoute, items: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    """Events from the endpoint's items, with a keep-alive comment while it is idle.

    The pending ``__anext__`` survives a ping: the producer is never cancelled
    by the keep-alive timer, only by the stream ending.
    """
    from veloxapi import routing

    serializer = route.stream_serializer
    iterator = items.__aiter__()
    pending: asyncio.Future[Any] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(iterator.__anext__())
            done, _ = await asyncio.wait({pending}, timeout=routing._PING_INTERVAL)
            if not done:
                yield KEEPALIVE_COMMENT
                continue
            try:
                item = pending.result()
            except StopAsyncIteration:
                return
            finally:
                if done:
                    pending = None
            if isinstance(item, ServerSentEvent):
                yield item.encode()
            else:
                yield format_sse_event(data_str=serializer.item_json(item).decode())
    finally:
        if pending is not None:
            pending.cancel()
