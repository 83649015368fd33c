"""The docs pages render in a real browser that cannot reach the internet.

A headless Chromium loads /docs and /redoc from a real uvicorn server on
loopback. Every host name except 127.0.0.1 resolves to nothing and every
non-loopback connection goes to a dead proxy, so the pages can only render if
the Swagger UI and ReDoc files come from the app itself.

Needs Debian's ``chromium`` (``apt-get install -y chromium``). Skipped when it
is absent, except under CI=true, where its absence fails the run.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi.openapi.assets import DOCS_ASSETS_PATH, docs_assets_app, local_asset_urls
from veloxapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)

pytestmark = pytest.mark.timeout(300)

IN_CI = os.environ.get("CI", "").lower() == "true"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    # Nothing but 127.0.0.1 resolves, and any other connection goes to a
    # closed local port (loopback itself bypasses proxies).
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--virtual-time-budget=30000",
]

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Zoo API", "version": "1.0.0"},
    "paths": {
        "/animals/{animal_id}": {
            "get": {
                "summary": "Fetch Zebra Record",
                "operationId": "fetch_zebra",
                "parameters": [
                    {
                        "name": "animal_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "title": "Animal Id"},
                    }
                ],
                "responses": {"200": {"description": "Successful Response"}},
            }
        },
        "/animals": {
            "post": {
                "summary": "Register Okapi",
                "operationId": "register_okapi",
                "responses": {"200": {"description": "Successful Response"}},
            }
        },
    },
}


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    message = "Chromium is not installed (apt-get install -y chromium)"
    if IN_CI:
        pytest.fail(f"{message}; CI must install it")
    pytest.skip(message)


class RequestLog:
    """ASGI wrapper that records the path and status of every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.served: list[tuple[str, int]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def logging_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.served.append((scope["path"], message["status"]))
            await send(message)

        await self.app(scope, receive, logging_send)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free loopback port for the duration of the block."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def rendered_dom(chromium: str, url: str, profile: Path, *extra_flags: str) -> str:
    """The page's DOM after its scripts ran, from a fresh, offline Chromium profile."""
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, *extra_flags, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def assert_docs_render(chromium: str, base_url: str, tmp_path: Path, log: RequestLog) -> None:
    swagger = rendered_dom(chromium, f"{base_url}/docs", tmp_path / "swagger-profile")
    # Swagger UI renders one "opblock" per operation, with its path and summary.
    assert 'class="swagger-ui' in swagger, swagger[:2000]
    assert 'data-path="/animals/{animal_id}"' in swagger, swagger[:2000]
    assert "Fetch Zebra Record" in swagger
    assert "Register Okapi" in swagger

    redoc = rendered_dom(chromium, f"{base_url}/redoc", tmp_path / "redoc-profile")
    # ReDoc replaces the <redoc> element's content with its menu and operations.
    assert "Fetch Zebra Record" in redoc, redoc[:2000]
    assert "Register Okapi" in redoc
    assert "/animals/{animal_id}" in redoc

    fetched = {path.rsplit("/", 1)[-1] for path, status in log.served if status == 200}
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"} <= fetched


def test_docs_pages_with_local_assets_render_offline(chromium: str, tmp_path: Path) -> None:
    """The docs functions plus the asset mount, composed in a plain Starlette app."""
    urls = local_asset_urls(DOCS_ASSETS_PATH)

    def docs(_: object) -> Response:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Zoo", **urls.swagger_ui())

    def redoc(_: object) -> Response:
        return get_redoc_html(openapi_url="/openapi.json", title="Zoo", **urls.redoc())

    def spec(_: object) -> Response:
        return JSONResponse(SPEC)

    app = Starlette(
        routes=[
            Route("/openapi.json", spec),
            Route("/docs", docs),
            Route("/redoc", redoc),
            Mount(DOCS_ASSETS_PATH, app=docs_assets_app()),
        ]
    )
    log = RequestLog(app)
    with serve(log) as base_url:
        assert_docs_render(chromium, base_url, tmp_path, log)


def _veloxapi_app() -> Any:
    try:
        from veloxapi import VeloxAPI
    except ImportError as exc:
        if IN_CI:
            raise
        pytest.skip(f"the veloxapi app core is not importable yet: {exc}")

    app = VeloxAPI(title="Zoo API")

    @app.get("/animals/{animal_id}", summary="Fetch Zebra Record")
    def fetch_zebra(animal_id: int) -> dict[str, int]:
        return {"animal_id": animal_id}

    @app.post("/animals", summary="Register Okapi")
    def register_okapi() -> dict[str, str]:
        return {"status": "registered"}

    return app


def test_veloxapi_docs_render_offline_by_default(chromium: str, tmp_path: Path) -> None:
    """A default VeloxAPI app serves /docs and /redoc that work with no internet access."""
    log = RequestLog(_veloxapi_app())
    with serve(log) as base_url:
        assert_docs_render(chromium, base_url, tmp_path, log)


# A stand-in for the Swagger UI window: it registers the pending authorization
# the way Swagger UI does, opens the redirect page as the authorization server
# would, and writes what the redirect page reported into <body> attributes.
OPENER_PAGE = """<!DOCTYPE html>
<html><body><script>
window.swaggerUIRedirectOauth2 = {
    state: "s1",
    redirectUrl: "/docs/oauth2-redirect",
    auth: {name: "oauth", schema: {get: function () { return %(flow)s; }}},
    callback: function (result) {
        document.body.setAttribute("data-result", JSON.stringify({
            token: result.token || null, code: result.auth.code || null,
            isValid: result.isValid
        }));
    },
    errCb: function (error) {
        document.body.setAttribute("data-error", error.level + ": " + error.message);
    }
};
window.open("/docs/oauth2-redirect" + %(answer)s);
</script></body></html>"""


def _body_attribute(dom: str, name: str) -> Any:
    match = re.search(rf'<body[^>]*\s{name}="([^"]*)"', dom)
    return html.unescape(match.group(1)) if match else None


@pytest.mark.parametrize(
    ("flow", "answer", "result", "error"),
    [
        (
            "implicit",
            "#access_token=abc&token_type=bearer&state=s1",
            {
                "token": {"access_token": "abc", "token_type": "bearer", "state": "s1"},
                "code": None,
                "isValid": True,
            },
            None,
        ),
        ("authorizationCode", "?code=C0DE&state=s1", {"token": None, "code": "C0DE"}, None),
        (
            "authorizationCode",
            "?code=C0DE&state=forged",
            {"token": None, "code": "C0DE"},
            "warning: Authorization may be unsafe: "
            "the server did not return the state it was sent.",
        ),
        (
            "authorizationCode",
            "?error=access_denied&error_description=denied&state=s1",
            None,
            "error: [access_denied]: denied",
        ),
    ],
    ids=["implicit", "code", "code-wrong-state", "code-denied"],
)
def test_oauth2_redirect_page_reports_to_swagger_ui(
    chromium: str, tmp_path: Path, flow: str, answer: str, result: Any, error: Any
) -> None:
    opener = OPENER_PAGE % {"flow": json.dumps(flow), "answer": json.dumps(answer)}

    def opener_page(_: object) -> Response:
        return HTMLResponse(opener)

    def redirect_page(_: object) -> Response:
        return get_swagger_ui_oauth2_redirect_html()

    app = Starlette(
        routes=[Route("/opener", opener_page), Route("/docs/oauth2-redirect", redirect_page)]
    )
    with serve(app) as base_url:
        dom = rendered_dom(
            chromium, f"{base_url}/opener", tmp_path / "profile", "--disable-popup-blocking"
        )
    reported = _body_attribute(dom, "data-result")
    assert (json.loads(reported) if reported else None) == result, dom
    assert _body_attribute(dom, "data-error") == error, dom
