"""Browser security policy: security headers on every response.

:class:`SecurityHeadersMiddleware` adds HSTS, ``X-Content-Type-Options``,
``X-Frame-Options``, ``Referrer-Policy`` and a Content-Security-Policy to every
HTTP response, without replacing a header the endpoint set itself.

Two CSPs. API responses get a strict one (``default-src 'none'``: a JSON
response has nothing to run). The documentation pages (Swagger UI, ReDoc, the
OAuth2 redirect) load their assets from this origin, but also start with inline
``<script>`` blocks, so they get a policy with ``script-src 'self'
'unsafe-inline'`` -- on those paths only. A nonce would require the docs HTML
generator to stamp every response, and hashes change whenever the docs
configuration (title, OpenAPI URL, Swagger UI parameters) changes, silently
breaking the page. The inline scripts on those pages are written by the
framework from the developer's configuration, never from request data, and the
policy still forbids other origins, ``eval``, plugins and framing.

CORS lives in :mod:`veloxapi.batteries.cors`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi.batteries._asgi import HeaderList, SendWatcher, add_missing
from veloxapi.batteries.settings import BatterySettings, CsvList

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
DEFAULT_DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
_DOCS_URL_ATTRS = ("docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url")


class SecurityHeadersSettings(BatterySettings):
    """``VELOX_SECURITY_HEADERS_*``: each header's value; empty string turns one off."""

    model_config = SettingsConfigDict(env_prefix="VELOX_SECURITY_HEADERS_")

    hsts_max_age: int = Field(default=31_536_000, ge=0)
    hsts_include_subdomains: bool = True
    hsts_preload: bool = False
    content_type_options: Literal["nosniff", ""] = "nosniff"
    frame_options: Literal["DENY", "SAMEORIGIN", ""] = "DENY"
    referrer_policy: str = "strict-origin-when-cross-origin"
    csp: str = API_CSP
    docs_csp: str = DOCS_CSP
    docs_paths: CsvList | None = None

    def hsts(self) -> str:
        if self.hsts_max_age == 0:
            return ""
        value = f"max-age={self.hsts_max_age}"
        if self.hsts_include_subdomains:
            value += "; includeSubDomains"
        return value + "; preload" if self.hsts_preload else value


def _encode(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items() if v]


PreparedHeaders = tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes]], frozenset[str]]


def prepared_headers(
    settings: SecurityHeadersSettings, docs_paths: tuple[str, ...] = DEFAULT_DOCS_PATHS
) -> PreparedHeaders:
    """The API headers, the documentation pages' headers, and the documentation paths."""
    common = {
        "strict-transport-security": settings.hsts(),
        "x-content-type-options": settings.content_type_options,
        "x-frame-options": settings.frame_options,
        "referrer-policy": settings.referrer_policy,
    }
    api = _encode({**common, "content-security-policy": settings.csp})
    docs = _encode({**common, "content-security-policy": settings.docs_csp})
    return api, docs, frozenset(settings.docs_paths or docs_paths)


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding the configured security headers.

    ``augment_app`` does not add it: the batteries' outer layer
    (:mod:`veloxapi.batteries.layer`) adds the same headers. It serves apps that
    take the battery on its own.
    """

    def __init__(
        self,
        app: ASGIApp,
        settings: SecurityHeadersSettings | None = None,
        docs_paths: tuple[str, ...] = DEFAULT_DOCS_PATHS,
    ) -> None:
        self.app = app
        prepared = prepared_headers(settings or SecurityHeadersSettings(), docs_paths)
        self._api_headers, self._docs_headers, self._docs_paths = prepared

    def _headers_for(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        return self._docs_headers if path in self._docs_paths else self._api_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._headers_for(scope)

        def add_headers(headers: HeaderList) -> None:
            add_missing(headers, extra)

        await self.app(scope, receive, SendWatcher(send, add_headers))


def docs_paths_of(app: Any) -> tuple[str, ...]:
    """The documentation paths an app serves (``docs_url`` ...), or the defaults."""
    if not any(hasattr(app, attr) for attr in _DOCS_URL_ATTRS):
        return DEFAULT_DOCS_PATHS
    return tuple(url for attr in _DOCS_URL_ATTRS if (url := getattr(app, attr, None)))


def install_security_headers(
    app: Any, settings: SecurityHeadersSettings
) -> SecurityHeadersSettings:
    """Add the security headers to every response of ``app`` (in the batteries' outer
    layer); the handle is the settings in force."""
    from veloxapi.batteries.layer import outer_layer

    outer_layer(app).security_headers = prepared_headers(settings, docs_paths_of(app))
    return settings
