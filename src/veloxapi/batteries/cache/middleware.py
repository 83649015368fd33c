"""The cache as a pure ASGI middleware, for Starlette apps without compiled plans.

VeloxAPI apps get the cache compiled into the plans of the routes that opt in
(:mod:`veloxapi.batteries.cache.plan`): after the route's dependencies, so a hit never skips
authentication. On a plain Starlette app, this middleware serves and stores
responses of endpoints that call a ``Cache`` policy themselves
(``await Cache(ttl=60)(request)``); it runs before the endpoint's own checks.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi.batteries.cache.core import ResponseCache
from veloxapi.batteries.cache.exchange import (
    Exchange,
    complete,
    hit_headers,
    lookup,
    open_exchange,
)
from veloxapi.batteries.cache.policy import SCOPE_KEY, CacheContext


class CacheMiddleware:
    """Serves GET requests of endpoints that opted in with a ``Cache`` policy.

    A hit is answered from the store (``304`` when ``If-None-Match`` matches its
    ETag) without calling the app. On a miss the response is buffered, given an
    ETag, ``Cache-Control`` and ``Vary``, stored when it is cacheable (200, no
    ``Set-Cookie``, no ``no-store``/``private`` from the app), and sent, or a
    ``304`` is sent in its place. Other statuses pass through untouched.
    """

    def __init__(self, app: ASGIApp, cache: ResponseCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        context = CacheContext()
        scope[SCOPE_KEY] = context
        exchange = open_exchange(self.cache, scope)
        if exchange is None:
            await self.app(scope, receive, send)  # neither served from nor stored in the cache
            return
        hit = await lookup(self.cache, exchange)
        if hit is not None:
            status, headers = hit_headers(hit, exchange.headers.get("if-none-match"))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": b"" if status == 304 else hit.body})
            return
        recorder = _Recorder(self.cache, context, exchange, send)
        await self.app(scope, receive, recorder.send)


class _Recorder:
    """Buffers an opted-in response, then completes, stores and sends it."""

    def __init__(
        self, cache: ResponseCache, context: CacheContext, exchange: Exchange, send: Send
    ) -> None:
        self.cache, self.context, self.exchange = cache, context, exchange
        self.downstream = send
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.passthrough = False

    async def send(self, message: Message) -> None:
        if self.passthrough:
            await self.downstream(message)
        elif message["type"] == "http.response.start":
            self.start = message
            self.passthrough = self.context.policy is None or message["status"] != 200
            if self.passthrough:
                await self.downstream(message)
        elif message["type"] == "http.response.body":
            await self._body(message)
        else:
            await self.downstream(message)

    async def _body(self, message: Message) -> None:
        chunk: bytes = message.get("body", b"")
        self.chunks.append(chunk)
        self.size += len(chunk)
        if self.size > self.cache.settings.max_body_bytes:
            await self._give_up()
        elif not message.get("more_body", False):
            await self._finish()

    async def _give_up(self) -> None:
        """Too large to cache: send what was buffered and stream the rest."""
        self.passthrough = True
        await self.downstream(self._started())
        await self.downstream(
            {"type": "http.response.body", "body": b"".join(self.chunks), "more_body": True}
        )

    async def _finish(self) -> None:
        """A complete 200 from an opted-in route: add validators, store, send."""
        start, policy = self._started(), self.context.policy
        assert policy is not None  # passthrough otherwise
        body = b"".join(self.chunks)
        status, headers = await complete(
            self.cache,
            self.exchange,
            policy,
            self.context.tags,
            list(start.get("headers", [])),
            body,
        )
        await self.downstream({**start, "status": status, "headers": headers})
        await self.downstream(
            {"type": "http.response.body", "body": b"" if status == 304 else body}
        )

    def _started(self) -> Message:
        if self.start is None:
            raise RuntimeError("ASGI app sent a response body before http.response.start")
        return self.start
