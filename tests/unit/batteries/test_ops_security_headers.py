"""Security headers on every response, a docs-only CSP, and CORS from the environment."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from veloxapi.batteries import ConfigurationError, augment_app
from veloxapi.batteries.security_headers import (
    API_CSP,
    DOCS_CSP,
    SecurityHeadersMiddleware,
    SecurityHeadersSettings,
)


async def data(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


async def framed(request: Request) -> JSONResponse:
    return JSONResponse({}, headers={"X-Frame-Options": "SAMEORIGIN"})


async def docs(request: Request) -> HTMLResponse:
    return HTMLResponse("<script>start()</script>")


def build_app() -> Starlette:
    return Starlette(routes=[Route("/data", data), Route("/framed", framed), Route("/docs", docs)])


def test_api_responses_get_strict_headers() -> None:
    app = build_app()
    augment_app(app, security_headers=True)
    headers = TestClient(app).get("/data").headers
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["content-security-policy"] == API_CSP


def test_docs_pages_allow_their_inline_scripts_only_there() -> None:
    app = build_app()
    augment_app(app, security_headers=True)
    client = TestClient(app)
    docs_csp = client.get("/docs").headers["content-security-policy"]
    assert docs_csp == DOCS_CSP
    assert "script-src 'self' 'unsafe-inline'" in docs_csp
    assert "unsafe-eval" not in docs_csp
    assert "unsafe-inline" not in client.get("/data").headers["content-security-policy"]
    assert client.get("/missing").headers["content-security-policy"] == API_CSP


def test_docs_paths_follow_the_app_attributes() -> None:
    app = build_app()
    app.docs_url = "/data"  # type: ignore[attr-defined]
    augment_app(app, security_headers=True)
    client = TestClient(app)
    assert client.get("/data").headers["content-security-policy"] == DOCS_CSP
    assert client.get("/docs").headers["content-security-policy"] == API_CSP


def test_endpoint_headers_win() -> None:
    app = build_app()
    augment_app(app, security_headers=True)
    response = TestClient(app).get("/framed")
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]


def test_headers_configured_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_SECURITY_HEADERS_HSTS_MAX_AGE", "0")
    monkeypatch.setenv("VELOX_SECURITY_HEADERS_FRAME_OPTIONS", "")
    monkeypatch.setenv("VELOX_SECURITY_HEADERS_HSTS_PRELOAD", "true")
    monkeypatch.setenv("VELOX_SECURITY_HEADERS_CSP", "default-src 'self'")
    app = build_app()
    augment_app(app, security_headers=True)
    headers = TestClient(app).get("/data").headers
    assert "strict-transport-security" not in headers
    assert "x-frame-options" not in headers
    assert headers["content-security-policy"] == "default-src 'self'"


def test_hsts_preload_and_no_subdomains() -> None:
    settings = SecurityHeadersSettings(hsts_include_subdomains=False, hsts_preload=True)
    app = build_app()
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    assert TestClient(app).get("/data").headers["strict-transport-security"] == (
        "max-age=31536000; preload"
    )


def test_invalid_frame_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_SECURITY_HEADERS_FRAME_OPTIONS", "ALLOW-FROM x")
    with pytest.raises(ConfigurationError, match="VELOX_SECURITY_HEADERS_FRAME_OPTIONS="):
        augment_app(build_app(), security_headers=True)


def test_cors_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_CORS_ALLOW_ORIGINS", "https://app.example, https://admin.example")
    monkeypatch.setenv("VELOX_CORS_ALLOW_HEADERS", "Authorization,Content-Type")
    app = build_app()
    augment_app(app, cors=True)
    client = TestClient(app)
    preflight = client.options(
        "/data",
        headers={
            "Origin": "https://admin.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://admin.example"
    assert preflight.headers["access-control-max-age"] == "600"
    simple = client.get("/data", headers={"Origin": "https://app.example"})
    assert simple.headers["access-control-allow-origin"] == "https://app.example"
    foreign = client.get("/data", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers


def test_cors_needs_origins_and_refuses_wildcard_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ConfigurationError, match="VELOX_CORS_ALLOW_ORIGINS is required"):
        augment_app(build_app(), cors=True)
    monkeypatch.setenv("VELOX_CORS_ALLOW_ORIGINS", "*")
    monkeypatch.setenv("VELOX_CORS_ALLOW_CREDENTIALS", "true")
    with pytest.raises(ConfigurationError, match="VELOX_CORS_ALLOW_CREDENTIALS='true'"):
        augment_app(build_app(), cors=True)
