"""The pure ASGI middleware that serves and stores complete responses."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veloxapi.batteries.cache.core import STATE_KEY, ResponseCache
from veloxapi.batteries.cache.entries import CachedResponse, if_none_match, strong_etag
from veloxapi.batteries.cache.policy import SCOPE_KEY, CacheContext, Policy, url_key, variant
from veloxapi.batteries.cache.settings import CacheSettings

# Headers that describe this one exchange, not the resource: never replayed from the cache.
_NOT_STORED = {b"date", b"server", b"x-request-id", b"retry-after", b"set-cookie"}
_VALIDATORS = {b"etag", b"cache-control", b"vary"}


class CacheMiddleware:
    """Serves GET requests of routes that opted in with ``Cache(...)``.

    A hit is answered from the store (``304`` when ``If-None-Match`` matches its
    ETag) without calling the app. On a miss the route's response is buffered,
    given an ETag, ``Cache-Control`` and ``Vary``, stored when it is cacheable
    (200, no ``Set-Cookie``, no ``no-store``/``private`` from the app), and sent,
    or a ``304`` is sent in its place. Other statuses pass through untouched.
    """

    def __init__(self, app: ASGIApp, cache: ResponseCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        headers = _request_headers(scope)
        host = headers.get("host", "")
        settings = self.cache.settings
        public = settings.public_host()
        directives = _directives(headers) if settings.honour_request_directives else set()
        context = CacheContext()
        scope[SCOPE_KEY] = context
        if (public is not None and host.lower() != public) or "no-store" in directives:
            await self.app(scope, receive, send)  # neither served from nor stored in the cache
            return
        base = url_key(scope["path"], scope["query_string"], host)
        credential = self.cache.credential(headers)
        if "no-cache" not in directives:
            hit = await self.cache.lookup(base, headers, credential)
            if hit is not None:
                await _serve_hit(hit, headers.get("if-none-match"), send)
                return
        recorder = _Recorder(self.cache, context, base, headers, credential, send)
        await self.app(scope, receive, recorder.send)


def _directives(headers: dict[str, str]) -> set[str]:
    """The client's ``Cache-Control`` request directives that concern the cache."""
    control = headers.get("cache-control")
    if control is None:
        return {"no-cache"} if "no-cache" in headers.get("pragma", "").lower() else set()
    found = {part.strip().lower().replace(" ", "") for part in control.split(",")}
    if "max-age=0" in found:
        found.add("no-cache")
    return found


def _request_headers(scope: Scope) -> dict[str, str]:
    """Header values by lower-case name; repeated headers are joined, so that every
    credential a request carries goes into its cache key."""
    found: dict[str, list[str]] = {}
    for name, value in scope["headers"]:
        found.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    return {name: ", ".join(values) for name, values in found.items()}


async def _serve_hit(entry: CachedResponse, condition: str | None, send: Send) -> None:
    extra = [(b"age", str(entry.age()).encode()), (b"x-cache", b"HIT")]
    if if_none_match(condition, entry.etag):
        validators = [(k, v) for k, v in entry.headers if k in _VALIDATORS]
        await _send_304(send, validators + extra)
        return
    await send(
        {"type": "http.response.start", "status": entry.status, "headers": entry.headers + extra}
    )
    await send({"type": "http.response.body", "body": entry.body})


async def _send_304(send: Send, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": 304, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


class _Recorder:
    """Buffers an opted-in response, then completes, stores and sends it."""

    def __init__(
        self,
        cache: ResponseCache,
        context: CacheContext,
        base: str,
        request_headers: dict[str, str],
        credential: str | None,
        send: Send,
    ) -> None:
        self.cache, self.context, self.base = cache, context, base
        self.request_headers, self.credential = request_headers, credential
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
        start, policy = self._started(), self.context.policy or Policy(ttl=0)
        body = b"".join(self.chunks)
        headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
        etag = _header(headers, b"etag") or strong_etag(body)
        policy = policy.varying_also(_vary_names(headers))
        storable = self._storable(headers, policy)
        headers = self._complete_headers(headers, policy, etag)
        if storable:
            stored = [(k, v) for k, v in headers if k not in _NOT_STORED]
            entry = CachedResponse(200, stored, body, etag, time.time())
            key = variant(policy, self.request_headers, self.credential)
            await self.cache.save(self.base, policy, key, entry, self.context.tags)
        if if_none_match(self.request_headers.get("if-none-match"), etag):
            await _send_304(
                send=self.downstream, headers=[(k, v) for k, v in headers if k in _VALIDATORS]
            )
            return
        await self.downstream({**start, "headers": [*headers, (b"x-cache", b"MISS")]})
        await self.downstream({"type": "http.response.body", "body": body})

    def _started(self) -> Message:
        if self.start is None:
            raise RuntimeError("ASGI app sent a response body before http.response.start")
        return self.start

    def _complete_headers(
        self, headers: list[tuple[bytes, bytes]], policy: Policy, etag: str
    ) -> list[tuple[bytes, bytes]]:
        out = [(k, v) for k, v in headers if k != b"vary"]
        if _header(headers, b"etag") is None:
            out.append((b"etag", etag.encode("latin-1")))
        if _header(headers, b"cache-control") is None and _header(headers, b"set-cookie") is None:
            private = self.credential is not None and not policy.shared
            visibility = "private" if private else "public"
            out.append((b"cache-control", f"{visibility}, max-age={int(policy.ttl)}".encode()))
        vary = [name.lower() for name in _vary_names(headers)] + list(policy.vary)
        if not policy.shared:
            vary += self.cache.settings.credential_headers
        if vary:
            out.append((b"vary", ", ".join(dict.fromkeys(vary)).encode("latin-1")))
        return out

    def _storable(self, headers: list[tuple[bytes, bytes]], policy: Policy) -> bool:
        if self.cache.bypassed(policy, self.credential) or _header(headers, b"set-cookie"):
            return False
        if "*" in policy.vary:  # RFC 9111 4.1: "Vary: *" never matches a later request
            return False
        control = (_header(headers, b"cache-control") or "").lower()
        return not any(word in control for word in ("no-store", "private", "no-cache"))


def _vary_names(headers: list[tuple[bytes, bytes]]) -> list[str]:
    """The request header names the response's own ``Vary`` headers list."""
    values = [v.decode("latin-1") for k, v in headers if k == b"vary"]
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


def install_cache(app: Any, settings: CacheSettings | None = None) -> ResponseCache:
    """Keep a :class:`ResponseCache` on ``app.state`` and add :class:`CacheMiddleware`."""
    cache = ResponseCache(settings or CacheSettings())
    setattr(app.state, STATE_KEY, cache)
    app.add_middleware(CacheMiddleware, cache=cache)
    return cache
