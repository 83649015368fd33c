"""The routes an app adds for its OpenAPI document and its docs pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from veloxapi.openapi.assets import (
    CDN_ASSET_URLS,
    DOCS_ASSETS_PATH,
    DocsAssetUrls,
    docs_assets_app,
    local_asset_urls,
)
from veloxapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)

if TYPE_CHECKING:
    from veloxapi.applications import VeloxAPI

_ASSET_MODES = ("local", "cdn")


def add_docs_routes(app: VeloxAPI) -> None:
    """Add /openapi.json, /docs, its OAuth2 redirect and /redoc as configured on ``app``."""
    if app.openapi_url:
        if not app.openapi_url.startswith("/"):
            raise AssertionError("openapi_url must start with '/'")
        _add_openapi_route(app, app.openapi_url)
    if not (app.openapi_url and (app.docs_url or app.redoc_url)):
        return
    urls = _asset_urls(app)
    if app.docs_url:
        _add_swagger_routes(app, app.openapi_url, app.docs_url, urls)
    if app.redoc_url:
        _add_redoc_route(app, app.openapi_url, app.redoc_url, urls)


def _asset_urls(app: VeloxAPI) -> tuple[DocsAssetUrls, bool]:
    mode = app.docs_assets
    if mode not in _ASSET_MODES:
        raise ValueError(
            f"docs_assets={mode!r} is not supported; use 'local' (files served by the app, "
            "works offline) or 'cdn' (files from a public CDN)."
        )
    if mode == "cdn":
        return CDN_ASSET_URLS, False
    app.mount(DOCS_ASSETS_PATH, docs_assets_app(), name="velox_docs_assets")
    return local_asset_urls(DOCS_ASSETS_PATH), True


def _prefixed(urls: DocsAssetUrls, local: bool, root_path: str) -> DocsAssetUrls:
    return local_asset_urls(root_path + DOCS_ASSETS_PATH) if local and root_path else urls


def _add_openapi_route(app: VeloxAPI, openapi_url: str) -> None:
    async def openapi(request: Request) -> JSONResponse:
        root_path = request.scope.get("root_path", "").rstrip("/")
        schema = app.openapi()
        if root_path and app.root_path_in_servers:
            server_urls = {s.get("url") for s in schema.get("servers", [])}
            if root_path not in server_urls:
                # this request's copy only: the cached document serves every root path
                schema = {**schema, "servers": [{"url": root_path}, *schema.get("servers", [])]}
        return JSONResponse(schema)

    app.add_route(openapi_url, openapi, include_in_schema=False)


def _add_swagger_routes(
    app: VeloxAPI, openapi_url: str, docs_url: str, urls: tuple[DocsAssetUrls, bool]
) -> None:
    async def swagger_ui_html(request: Request) -> HTMLResponse:
        root_path = request.scope.get("root_path", "").rstrip("/")
        oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url
        if oauth2_redirect_url:
            oauth2_redirect_url = root_path + oauth2_redirect_url
        assets = _prefixed(urls[0], urls[1], root_path)
        return get_swagger_ui_html(
            openapi_url=root_path + openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=oauth2_redirect_url,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
            **assets.swagger_ui(),
        )

    app.add_route(docs_url, swagger_ui_html, include_in_schema=False)
    if app.swagger_ui_oauth2_redirect_url:

        async def swagger_ui_redirect(request: Request) -> HTMLResponse:
            return get_swagger_ui_oauth2_redirect_html()

        app.add_route(
            app.swagger_ui_oauth2_redirect_url, swagger_ui_redirect, include_in_schema=False
        )


def _add_redoc_route(
    app: VeloxAPI, openapi_url: str, redoc_url: str, urls: tuple[DocsAssetUrls, bool]
) -> None:
    async def redoc_html(request: Request) -> HTMLResponse:
        root_path = request.scope.get("root_path", "").rstrip("/")
        assets = _prefixed(urls[0], urls[1], root_path)
        return get_redoc_html(
            openapi_url=root_path + openapi_url,
            title=f"{app.title} - ReDoc",
            **assets.redoc(),
        )

    app.add_route(redoc_url, redoc_html, include_in_schema=False)
