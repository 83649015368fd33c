"""The outer layer's parts, prepared once from the installed batteries' settings.

:class:`Prepared` holds, for the parts that are on, everything decided ahead of
the first request: header names and values as bytes. The parts the batteries
prepared themselves (the metrics server, the errors battery's last resort, the
global limit) are taken as handed in. The layer (:mod:`veloxapi.batteries.layer`) consults
only these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import Scope

from veloxapi._engine.route.router_index import served_route

if TYPE_CHECKING:
    from veloxapi.batteries.layer import HeaderList, LayerSend, OuterParts


_LIMIT_NAMES = (
    b"ratelimit-limit",
    b"ratelimit-remaining",
    b"ratelimit-reset",
    b"retry-after",
    b"x-ratelimit-limit",
    b"x-ratelimit-remaining",
    b"x-ratelimit-reset",
)


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
        self.metrics_server = parts.metrics_server
        self.observes = parts.access_log is not None or parts.metrics is not None
        self.security = parts.security_headers
        self.deprecation = parts.deprecation
        self.cors = parts.cors
        self.errors = parts.errors
        self.global_limit = parts.global_limit
        owned = [self.request_id_header] if self.request_id_header is not None else []
        if self.security is not None:
            owned += [key for key, _ in (*self.security[0], *self.security[1])]
        if self.deprecation is not None:
            owned += [key for key, _ in self.deprecation]
        self.owned = frozenset(owned + list(_LIMIT_NAMES))
        """Every header name the layer may add: when the app set none of them, the
        layer's headers are appended without checking each one."""

    def response_headers(self, sent: LayerSend, headers: HeaderList) -> HeaderList:
        """``headers`` of a starting response with the layer's headers added in one pass:
        the request id (replacing one the app set), then each security, rate-limit and
        deprecation header the app did not set itself."""
        owned = self.owned
        for key, _ in headers:
            if key in owned:
                return self._merged(sent, headers)
        # PERF: benchmarks "batteries" column: the app set none of the layer's headers.
        # A request id is ASCII (generated or checked by incoming_request_id): the
        # default codec's bytes are latin-1's, without looking a codec up by name.
        header = self.request_id_header
        if header is not None and sent.request_id is not None:
            headers.append((header, sent.request_id.encode()))
        security = self.security
        if security is not None:
            scope = sent.scope
            if scope["path"] in security[2] or scope.get("root_path"):
                headers += self._security_for(scope)
            else:
                headers += security[0]  # an API path, no root path to take off
        if sent.limit_headers is not None:
            headers += sent.limit_headers
        deprecation = self.deprecation
        if deprecation is not None and getattr(served_route(sent.scope), "deprecated", False):
            headers += deprecation
        return headers

    def _merged(self, sent: LayerSend, headers: HeaderList) -> HeaderList:
        """:meth:`response_headers` when the app set some of the layer's headers."""
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
        if deprecation is not None and getattr(served_route(sent.scope), "deprecated", False):
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
