"""HTML pages of the interactive docs: Swagger UI, ReDoc and the OAuth2 redirect.

The functions take the URLs of the JavaScript, CSS and favicon files; their
defaults point at the public CDN (jsDelivr). A veloxapi app passes the URLs of
the copies it serves itself (see :mod:`veloxapi.openapi.assets`), so its docs
work offline.

Everything interpolated into a page is escaped for where it lands: HTML
attributes and text with :func:`html.escape`, JavaScript string literals and
JSON configuration with ``<``, ``>``, ``&`` and quotes written as ``\\uXXXX``,
so a title, URL or parameter can never close the ``<script>`` element.
"""

from __future__ import annotations

import html
import json
from typing import Any

from starlette.responses import HTMLResponse

SWAGGER_UI_CDN = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
REDOC_CDN = "https://cdn.jsdelivr.net/npm/redoc@2/bundles"
GOOGLE_FONTS_URL = (
    "https://fonts.googleapis.com/css?family=Montserrat:300,400,700|Roboto:300,400,700"
)

swagger_ui_default_parameters: dict[str, Any] = {
    "dom_id": "#swagger-ui",
    "layout": "BaseLayout",
    "deepLinking": True,
    "showExtensions": True,
    "showCommonExtensions": True,
}
"""Configuration every Swagger UI page starts from; ``swagger_ui_parameters`` override it."""

_SCRIPT_UNSAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _json_for_script(value: Any) -> str:
    """``value`` as JSON that is safe inside a ``<script>`` element."""
    return json.dumps(value).translate(_SCRIPT_UNSAFE)


def _js_single_quoted(value: str) -> str:
    """The body of a single-quoted JavaScript string literal holding ``value``."""
    escaped = json.dumps(value)[1:-1].translate(_SCRIPT_UNSAFE)
    return escaped.replace("'", "\\u0027")


def _swagger_config_lines(parameters: dict[str, Any]) -> str:
    return "".join(
        f"        {_json_for_script(key)}: {_json_for_script(value)},\n"
        for key, value in parameters.items()
    )


def get_swagger_ui_html(
    *,
    openapi_url: str,
    title: str,
    swagger_js_url: str = f"{SWAGGER_UI_CDN}/swagger-ui-bundle.js",
    swagger_css_url: str = f"{SWAGGER_UI_CDN}/swagger-ui.css",
    swagger_favicon_url: str = f"{SWAGGER_UI_CDN}/favicon-32x32.png",
    oauth2_redirect_url: str | None = None,
    init_oauth: dict[str, Any] | None = None,
    swagger_ui_parameters: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The Swagger UI page for the OpenAPI document at ``openapi_url``.

    ``swagger_ui_parameters`` are merged over :data:`swagger_ui_default_parameters`
    and passed to ``SwaggerUIBundle``; ``init_oauth`` is passed to ``ui.initOAuth``.
    ``oauth2_redirect_url`` is the path of :func:`get_swagger_ui_oauth2_redirect_html`.
    """
    parameters = {**swagger_ui_default_parameters, **(swagger_ui_parameters or {})}
    redirect = ""
    if oauth2_redirect_url:
        redirect = (
            "        oauth2RedirectUrl: window.location.origin + "
            f"'{_js_single_quoted(oauth2_redirect_url)}',\n"
        )
    oauth = ""
    if init_oauth:
        oauth = f"    ui.initOAuth({_json_for_script(init_oauth)})\n"
    page = f"""<!DOCTYPE html>
<html>
<head>
    <meta charset="utf-8">
    <link type="text/css" rel="stylesheet" href="{html.escape(swagger_css_url)}">
    <link rel="shortcut icon" href="{html.escape(swagger_favicon_url)}">
    <title>{html.escape(title)}</title>
</head>
<body>
    <div id="swagger-ui"></div>
    <script src="{html.escape(swagger_js_url)}"></script>
    <script>
    const ui = SwaggerUIBundle({{
        url: '{_js_single_quoted(openapi_url)}',
{_swagger_config_lines(parameters)}        presets: [
            SwaggerUIBundle.presets.apis,
            SwaggerUIBundle.SwaggerUIStandalonePreset
        ],
{redirect}    }})
{oauth}    </script>
</body>
</html>
"""
    return HTMLResponse(page)


def get_redoc_html(
    *,
    openapi_url: str,
    title: str,
    redoc_js_url: str = f"{REDOC_CDN}/redoc.standalone.js",
    redoc_favicon_url: str = f"{SWAGGER_UI_CDN}/favicon-32x32.png",
    with_google_fonts: bool = True,
) -> HTMLResponse:
    """The ReDoc page for the OpenAPI document at ``openapi_url``.

    ``with_google_fonts=False`` leaves out the Google Fonts stylesheet (ReDoc
    then uses the browser's fonts), which an offline page must do.
    """
    fonts = ""
    if with_google_fonts:
        fonts = f'    <link href="{html.escape(GOOGLE_FONTS_URL)}" rel="stylesheet">\n'
    page = f"""<!DOCTYPE html>
<html>
<head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{html.escape(title)}</title>
{fonts}    <link rel="shortcut icon" href="{html.escape(redoc_favicon_url)}">
    <style>
        body {{ margin: 0; padding: 0; }}
    </style>
</head>
<body>
    <noscript>ReDoc needs JavaScript: enable it to read this documentation.</noscript>
    <redoc spec-url="{html.escape(openapi_url)}"></redoc>
    <script src="{html.escape(redoc_js_url)}"></script>
</body>
</html>
"""
    return HTMLResponse(page)


# The page Swagger UI opens as the OAuth2 redirect URI. It reads the
# authorization server's answer from the URL (fragment for the implicit flow,
# query string for the authorization-code flow), checks the ``state`` it sent,
# hands the result to the Swagger UI window that opened it, and closes itself.
_OAUTH2_REDIRECT_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
    <meta charset="utf-8">
    <title>Swagger UI: OAuth2 Redirect</title>
</head>
<body>
<script>
    "use strict";
    function readAnswer() {
        var raw = window.location.hash ? window.location.hash.substring(1)
                                        : window.location.search.substring(1);
        var answer = {};
        new URLSearchParams(raw).forEach(function (value, key) { answer[key] = value; });
        return answer;
    }

    function report(pending) {
        var answer = readAnswer();
        var stateMatches = answer.state === pending.state;
        var flow = pending.auth.schema.get("flow");
        var isCodeFlow = ["accessCode", "authorizationCode", "authorization_code"]
            .indexOf(flow) !== -1;
        if (!isCodeFlow || pending.auth.code) {
            pending.callback({
                auth: pending.auth, token: answer, isValid: stateMatches,
                redirectUrl: pending.redirectUrl
            });
            return;
        }
        if (!stateMatches) {
            pending.errCb({
                authId: pending.auth.name, source: "auth", level: "warning",
                message: "Authorization may be unsafe: the server did not return "
                    + "the state it was sent."
            });
        }
        if (answer.code) {
            delete pending.state;
            pending.auth.code = answer.code;
            pending.callback({auth: pending.auth, redirectUrl: pending.redirectUrl});
            return;
        }
        var reason = answer.error
            ? "[" + answer.error + "]: " + (answer.error_description || "no description")
                + (answer.error_uri ? " More info: " + answer.error_uri : "")
            : "[Authorization failed]: the server sent no authorization code.";
        pending.errCb({authId: pending.auth.name, source: "auth", level: "error", message: reason});
    }

    function run() {
        var pending = window.opener && window.opener.swaggerUIRedirectOauth2;
        if (pending) {
            report(pending);
        }
        window.close();
    }

    if (document.readyState !== "loading") {
        run();
    } else {
        document.addEventListener("DOMContentLoaded", run);
    }
</script>
</body>
</html>
"""


def get_swagger_ui_oauth2_redirect_html() -> HTMLResponse:
    """The page to serve at the app's ``swagger_ui_oauth2_redirect_url``."""
    return HTMLResponse(_OAUTH2_REDIRECT_PAGE)


__all__ = [
    "get_redoc_html",
    "get_swagger_ui_html",
    "get_swagger_ui_oauth2_redirect_html",
    "swagger_ui_default_parameters",
]
