"""HTTP semantic-convention attributes of a request: method, scheme, server, URL."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from opentelemetry.propagators.textmap import Getter
from starlette.datastructures import Headers
from starlette.types import Scope

SCHEMA_URL = "https://opentelemetry.io/schemas/1.44.0"
_DEFAULT_METHODS = frozenset(
    {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE"}
)
# Query parameters the HTTP span conventions say to redact: signed-URL credentials.
_SECRET_QUERY_KEYS = frozenset(
    {"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "sig", "X-Goog-Signature"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def known_methods() -> frozenset[str]:
    """``OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`` (comma-separated), else the standard set."""
    listed = os.getenv("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS", "").strip()
    if not listed:
        return _DEFAULT_METHODS
    return frozenset(method.strip() for method in listed.split(",") if method.strip())


class HeaderGetter(Getter[Headers]):
    """Reads propagation headers (``traceparent``, ``baggage``...) from the request."""

    def get(self, carrier: Headers, key: str) -> list[str] | None:
        values = carrier.getlist(key)
        if not values:
            return None
        if key.lower() == "baggage":  # the baggage propagator reads only the first value
            return [",".join(values)]
        return values

    def keys(self, carrier: Headers) -> list[str]:
        return carrier.keys()


def server_attributes(scope: Scope) -> dict[str, Any]:
    """``server.address`` and ``server.port``: from the Host header, else the ASGI server."""
    host = Headers(scope=scope).get("host")
    if host is None:
        address, port = scope.get("server") or (None, None)
    else:
        try:
            url = urlsplit("//" + host)
            address, port = url.hostname, url.port
        except ValueError:  # a malformed Host is reported by nothing, not by a failure
            return {}
        if url.username is not None or url.path or url.query or url.fragment:
            return {}
        if port is None:
            port = _DEFAULT_PORTS.get(scope.get("scheme", "http"))
    if address is None:
        return {}
    attributes: dict[str, Any] = {"server.address": address}
    if port is not None:
        attributes["server.port"] = port
    return attributes


def redacted_query(query_string: bytes) -> str:
    """``url.query`` with signed-URL credentials replaced by ``REDACTED``."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return urlencode(
        [(key, "REDACTED" if key in _SECRET_QUERY_KEYS else value) for key, value in pairs]
    )
