"""One GET request the cache considers: its key, lookup, and the completed response.

Shared by the two ways the cache is wired: compiled into a route's plan
(:mod:`veloxapi.batteries.cache.plan`, VeloxAPI apps) and as an ASGI middleware
(:mod:`veloxapi.batteries.cache.middleware`, any Starlette app).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.types import Scope

from veloxapi.batteries.cache.core import ResponseCache
from veloxapi.batteries.cache.entries import CachedResponse, if_none_match, strong_etag
from veloxapi.batteries.cache.policy import Policy, url_key, variant

HeaderList = list[tuple[bytes, bytes]]

# Headers that describe this one exchange, not the resource: never replayed from the cache.
_NOT_STORED = {
    b"date",
    b"server",
    b"x-request-id",
    b"retry-after",
    b"set-cookie",
    b"ratelimit-limit",
    b"ratelimit-remaining",
    b"ratelimit-reset",
    b"x-ratelimit-limit",
    b"x-ratelimit-remaining",
    b"x-ratelimit-reset",
}
VALIDATORS = {b"etag", b"cache-control", b"vary"}


@dataclass(frozen=True)
class Exchange:
    """The cache's view of one request: where its entry lives and who asks."""

    base: str
    headers: dict[str, str]
    credential: str | None
    revalidate: bool
    """The client asked not to be served from the cache (``no-cache``)."""


def open_exchange(cache: ResponseCache, scope: Scope) -> Exchange | None:
    """The exchange of a GET request; ``None`` when the cache must stay out of it
    (another host than the public origin, or the client's ``no-store``)."""
    headers = request_headers(scope)
    host = headers.get("host", "")
    settings = cache.settings
    public = settings.public_host()
    directives = _directives(headers) if settings.honour_request_directives else set()
    if (public is not None and host.lower() != public) or "no-store" in directives:
        return None
    base = url_key(scope["path"], scope["query_string"], host)
    return Exchange(base, headers, cache.credential(headers), "no-cache" in directives)


async def lookup(cache: ResponseCache, exchange: Exchange) -> CachedResponse | None:
    if exchange.revalidate:
        return None
    return await cache.lookup(exchange.base, exchange.headers, exchange.credential)


def hit_headers(entry: CachedResponse, condition: str | None) -> tuple[int, HeaderList]:
    """Status and headers of the answer a stored entry gives (``304`` when validated)."""
    extra = [(b"age", str(entry.age()).encode()), (b"x-cache", b"HIT")]
    if if_none_match(condition, entry.etag):
        return 304, [(k, v) for k, v in entry.headers if k in VALIDATORS] + extra
    return entry.status, entry.headers + extra


async def complete(
    cache: ResponseCache,
    exchange: Exchange,
    policy: Policy,
    tags: list[str],
    headers: HeaderList,
    body: bytes,
) -> tuple[int, HeaderList]:
    """Validators for a complete ``200`` of an opted-in route; stores it when cacheable.

    Returns the status to answer (``304`` when the client's ``If-None-Match``
    matches) and the headers to send.
    """
    etag = _header(headers, b"etag") or strong_etag(body)
    policy = policy.varying_also(_vary_names(headers))
    storable = _storable(cache, exchange, headers, policy)
    headers = _complete_headers(cache, exchange, headers, policy, etag)
    if storable:
        stored = [(k, v) for k, v in headers if k not in _NOT_STORED]
        entry = CachedResponse(200, stored, body, etag, time.time())
        key = variant(policy, exchange.headers, exchange.credential)
        await cache.save(exchange.base, policy, key, entry, tags)
    if if_none_match(exchange.headers.get("if-none-match"), etag):
        return 304, [(k, v) for k, v in headers if k in VALIDATORS]
    return 200, [*headers, (b"x-cache", b"MISS")]


def request_headers(scope: Scope) -> dict[str, str]:
    """Header values by lower-case name; repeated headers are joined, so that every
    credential a request carries goes into its cache key."""
    found: dict[str, list[str]] = {}
    for name, value in scope["headers"]:
        found.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    return {name: ", ".join(values) for name, values in found.items()}


def _directives(headers: dict[str, str]) -> set[str]:
    """The client's ``Cache-Control`` request directives that concern the cache."""
    control = headers.get("cache-control")
    if control is None:
        return {"no-cache"} if "no-cache" in headers.get("pragma", "").lower() else set()
    found = {part.strip().lower().replace(" ", "") for part in control.split(",")}
    if "max-age=0" in found:
        found.add("no-cache")
    return found


def _complete_headers(
    cache: ResponseCache, exchange: Exchange, headers: HeaderList, policy: Policy, etag: str
) -> HeaderList:
    out = [(k, v) for k, v in headers if k != b"vary"]
    if _header(headers, b"etag") is None:
        out.append((b"etag", etag.encode("latin-1")))
    if _header(headers, b"cache-control") is None and _header(headers, b"set-cookie") is None:
        private = exchange.credential is not None and not policy.shared
        visibility = "private" if private else "public"
        out.append((b"cache-control", f"{visibility}, max-age={int(policy.ttl)}".encode()))
    vary = [name.lower() for name in _vary_names(headers)] + list(policy.vary)
    if not policy.shared:
        vary += cache.settings.credential_headers
    if vary:
        out.append((b"vary", ", ".join(dict.fromkeys(vary)).encode("latin-1")))
    return out


def _storable(
    cache: ResponseCache, exchange: Exchange, headers: HeaderList, policy: Policy
) -> bool:
    if cache.bypassed(policy, exchange.credential) or _header(headers, b"set-cookie"):
        return False
    if "*" in policy.vary:  # RFC 9111 4.1: "Vary: *" never matches a later request
        return False
    control = (_header(headers, b"cache-control") or "").lower()
    return not any(word in control for word in ("no-store", "private", "no-cache"))


def _vary_names(headers: HeaderList) -> list[str]:
    """The request header names the response's own ``Vary`` headers list."""
    values = [v.decode("latin-1") for k, v in headers if k == b"vary"]
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _header(headers: HeaderList, name: bytes) -> str | None:
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None
