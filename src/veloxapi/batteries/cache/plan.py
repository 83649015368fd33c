"""The cache compiled into the plans of the routes that opt in, and ``install_cache``.

A route opts in with ``Depends(Cache(...))``. Its plan gets a hook around the
endpoint, *after every dependency of the route* (its security dependencies
included): an expired or missing token is refused before the cache is asked,
and a hit is answered, and counted, as the route's response. The ``Cache``
marker itself is left out of the plan. Routes without ``Cache`` pay nothing.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from veloxapi._engine.compile.contributions import CallEndpoint, Contribution, RouteInfo
from veloxapi.batteries.cache.core import STATE_KEY, ResponseCache
from veloxapi.batteries.cache.exchange import (
    HeaderList,
    complete,
    hit_headers,
    lookup,
    open_exchange,
)
from veloxapi.batteries.cache.middleware import CacheMiddleware
from veloxapi.batteries.cache.policy import Cache, KeepMissing
from veloxapi.batteries.cache.settings import CacheSettings


class _Stored(Response):
    """A response replayed from the cache: status, headers and body as stored."""

    def __init__(self, status: int, headers: HeaderList, body: bytes) -> None:
        self.status_code = status
        self.body = body
        self.background = None
        self.raw_headers = headers


class CachedRoute:
    """The hook of one route: look up after the dependencies, store what the endpoint made."""

    def __init__(self, cache: ResponseCache, policy: Cache) -> None:
        self.cache = cache
        self.policy = policy.policy
        self.tags = policy.tags

    async def __call__(self, request: Request, call_endpoint: CallEndpoint) -> Response:
        scope = request.scope
        exchange = open_exchange(self.cache, scope) if scope["method"] == "GET" else None
        if exchange is None:
            return await call_endpoint()
        hit = await lookup(self.cache, exchange)
        if hit is not None:
            status, headers = hit_headers(hit, exchange.headers.get("if-none-match"))
            return _Stored(status, headers, b"" if status == 304 else hit.body)
        response = await call_endpoint()
        body = getattr(response, "body", None)
        if response.status_code != 200 or not isinstance(body, bytes):
            return response  # errors, redirects and streams are not cached
        if len(body) > self.cache.settings.max_body_bytes:
            return response
        params = KeepMissing(request.path_params)
        tags = [tag.format_map(params) for tag in self.tags]
        status, headers = await complete(
            self.cache, exchange, self.policy, tags, list(response.raw_headers), body
        )
        if status == 304:
            return _Stored(304, headers, b"")
        response.raw_headers = headers
        return response


class CacheContributor:
    """Gives the routes with a ``Cache`` marker their cache hook (plan contributor)."""

    def __init__(self, cache: ResponseCache) -> None:
        self.cache = cache

    def contribute(self, route: RouteInfo) -> Contribution | None:
        markers = [call for call in route.calls if isinstance(call, Cache)]
        if not markers:
            return None
        if route.websocket or "GET" not in route.methods:
            return Contribution(consumes=frozenset(markers))  # nothing a cache can serve
        hook = CachedRoute(self.cache, markers[-1])  # the marker closest to the route wins
        return Contribution(around_endpoint=(hook,), consumes=frozenset(markers))


def install_cache(app: Any, settings: CacheSettings | None = None) -> ResponseCache:
    """Keep a :class:`ResponseCache` on ``app.state`` and serve the routes that opt in.

    On a VeloxAPI app the cache is compiled into those routes' plans; on another
    Starlette app, :class:`~.middleware.CacheMiddleware` is added instead.
    """
    cache = ResponseCache(settings or CacheSettings())
    setattr(app.state, STATE_KEY, cache)
    contributors = getattr(app, "plan_contributors", None)
    if contributors is not None:
        contributors.append(CacheContributor(cache))
    else:
        app.add_middleware(CacheMiddleware, cache=cache)
    return cache
