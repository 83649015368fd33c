"""The outer layer's parts, prepared once from the installed batteries' settings.

:class:`Prepared` holds, for the parts that are on, everything decided ahead of
the first request: header names and values as bytes, the metrics server, the
errors renderer, the global limit's rates. The layer (:mod:`veloxapi.batteries.layer`) consults
only these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from veloxapi.batteries.layer import HeaderList, LayerSend, OuterParts
    from veloxapi.batteries.ratelimit.limiter import RateLimiter

GLOBAL_BUCKET = "global"


class Prepared:
    """What the outer layer does per request, decided once (see the module docs)."""

    def __init__(self, parts: OuterParts) -> None:
        settings = parts.request_id
        self.request_id_header = (
            settings.header.lower().encode("latin-1") if settings is not None else None
        )
        self.request_id_max = settings.max_length if settings is not None else 0
        self.access_log = parts.access_log
        self.metrics = parts.metrics
        self.metrics_server = None
        if parts.metrics is not None and parts.metrics.settings.port is not None:
            from veloxapi.batteries.metrics import MetricsServer

            self.metrics_server = MetricsServer(parts.metrics)
        self.observes = parts.access_log is not None or parts.metrics is not None
        self.security = parts.security_headers
        self.deprecation = parts.deprecation
        self.cors = parts.cors
        self.errors = ErrorPart(parts.errors) if parts.errors is not None else None
        self.global_limit = GlobalLimit(parts.global_limit) if parts.global_limit else None

    def response_headers(self, sent: LayerSend, headers: HeaderList) -> HeaderList:
        """``headers`` of a starting response with the layer's headers added in one pass:
        the request id (replacing one the app set), then each security, rate-limit and
        deprecation header the app did not set itself."""
        names = {key for key, _ in headers}
        header = self.request_id_header
        if header is not None and sent.request_id is not None:
            if header in names:
                headers = [(k, v) for k, v in headers if k != header]
            headers.append((header, sent.request_id.encode("latin-1")))
        if self.security is not None:
            _add_missing(headers, names, self._security_for(sent.scope))
        limit = sent.limit_headers
        if limit is not None and b"ratelimit-limit" not in names:
            _add_missing(headers, names, limit)
        deprecation = self.deprecation
        if deprecation is not None and getattr(sent.scope.get("route"), "deprecated", False):
            _add_missing(headers, names, deprecation)
        return headers

    def _security_for(self, scope: Scope) -> HeaderList:
        assert self.security is not None
        api, docs, docs_paths = self.security
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        return docs if path in docs_paths else api


def _add_missing(headers: HeaderList, names: set[bytes], extra: HeaderList) -> None:
    for key, value in extra:
        if key not in names:
            headers.append((key, value))


class ErrorPart:
    """The errors battery's last resort (as its ``ErrorMiddleware``): an unhandled
    exception becomes its 500; a client that left while its body was read is logged."""

    def __init__(self, settings: Any) -> None:
        from veloxapi.batteries.errors._render import Renderer, phrase

        self.renderer = Renderer(settings)
        self.phrase = phrase(500)

    def disconnected(self, scope: Scope) -> None:
        self.renderer.log_disconnect(scope)

    async def answer(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        self.renderer.log(scope, 500, exc)
        response = self.renderer.response(scope, 500, self.phrase)
        await response(scope, receive, send)


class GlobalLimit:
    """Default limits keyed by address or API key, counted before routing."""

    def __init__(self, limiter: RateLimiter) -> None:
        from veloxapi.batteries.errors import error_response
        from veloxapi.batteries.ratelimit.limiter import StoreUnavailable, parse_rates, too_many

        self.error_response = error_response
        self.unavailable = StoreUnavailable
        self.too_many = too_many
        self.limiter = limiter
        settings = limiter.settings
        self.rates = parse_rates("VELOX_RATELIMIT_DEFAULT_LIMITS", settings.default_limits)
        self.exempt = tuple(settings.exempt_paths)
        self.by_peer = settings.key == "ip" and not limiter.trusted
        self.headers = settings.headers

    async def refuse(self, scope: Scope, receive: Receive, sent: LayerSend) -> bool:
        """Count the request; answer 429 (or 503 failing closed) and return ``True`` when
        it is refused, else leave the ``RateLimit-*`` headers for the response."""
        if self.exempt and scope["path"].startswith(self.exempt):
            return False
        limiter = self.limiter
        if self.by_peer:
            client = scope.get("client")
            identity = "ip:" + (client[0] if client else "unknown")
        else:
            identity = await limiter.identity(HTTPConnection(scope), None)
        try:
            decision = await limiter.check(GLOBAL_BUCKET, identity, self.rates)
        except self.unavailable:
            headers = {"Retry-After": "1"}
            response = self.error_response(
                scope, 503, "Rate limiting is unavailable", headers=headers
            )
            await response(scope, receive, sent)
            return True
        if decision is None:
            return False
        if not decision.allowed:
            denied = limiter.headers(decision)
            response = self.error_response(scope, 429, self.too_many(decision), headers=denied)
            await response(scope, receive, sent)
            return True
        if self.headers:
            sent.limit_headers = decision.header_list(legacy=limiter.settings.legacy_headers)
        return False
