from __future__ import annotations

import inspect

import pytest

from veloxapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
    swagger_ui_default_parameters,
)


def swagger(**kwargs) -> str:
    kwargs.setdefault("openapi_url", "/openapi.json")
    kwargs.setdefault("title", "Test")
    response = get_swagger_ui_html(**kwargs)
    assert response.media_type == "text/html"
    return bytes(response.body).decode()


def redoc(**kwargs) -> str:
    kwargs.setdefault("openapi_url", "/openapi.json")
    kwargs.setdefault("title", "Test")
    return bytes(get_redoc_html(**kwargs).body).decode()


def test_swagger_defaults_load_swagger_ui_dist_5_from_the_cdn():
    defaults = inspect.signature(get_swagger_ui_html).parameters
    body = swagger()
    for name in ("swagger_js_url", "swagger_css_url", "swagger_favicon_url"):
        assert defaults[name].default in body
    assert "swagger-ui-dist@5/swagger-ui-bundle.js" in defaults["swagger_js_url"].default


def test_swagger_custom_urls_and_title():
    body = swagger(
        title="FastAPI - Swagger UI",
        swagger_js_url="swagger_fake_file.js",
        swagger_css_url="swagger_fake_file.css",
        swagger_favicon_url="swagger_fake_file.png",
    )
    assert '<script src="swagger_fake_file.js"></script>' in body
    assert 'href="swagger_fake_file.css"' in body
    assert 'href="swagger_fake_file.png"' in body
    assert "<title>FastAPI - Swagger UI</title>" in body
    assert "url: '/openapi.json'," in body


def test_swagger_default_parameters_are_rendered_as_json():
    body = swagger()
    assert swagger_ui_default_parameters == {
        "dom_id": "#swagger-ui",
        "layout": "BaseLayout",
        "deepLinking": True,
        "showExtensions": True,
        "showCommonExtensions": True,
    }
    for line in (
        '"dom_id": "#swagger-ui",',
        '"layout": "BaseLayout",',
        '"deepLinking": true,',
        '"showExtensions": true,',
        '"showCommonExtensions": true,',
        "presets: [",
        "SwaggerUIBundle.presets.apis,",
        "SwaggerUIBundle.SwaggerUIStandalonePreset",
    ):
        assert line in body
    assert '"syntaxHighlight"' not in body


def test_swagger_parameters_extend_and_override_the_defaults():
    body = swagger(swagger_ui_parameters={"syntaxHighlight": {"theme": "obsidian"}})
    assert '"syntaxHighlight": {"theme": "obsidian"},' in body
    body = swagger(swagger_ui_parameters={"deepLinking": False, "syntaxHighlight": False})
    assert '"deepLinking": false,' in body
    assert '"deepLinking": true' not in body
    assert '"syntaxHighlight": false,' in body
    assert '"dom_id": "#swagger-ui",' in body


def test_swagger_oauth2_redirect_and_init_oauth():
    body = swagger(
        oauth2_redirect_url="/docs/oauth2-redirect",
        init_oauth={"clientId": "my-client", "appName": "My App"},
    )
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in body
    assert 'ui.initOAuth({"clientId": "my-client", "appName": "My App"})' in body


def test_swagger_without_oauth_settings_has_neither_line():
    body = swagger()
    assert "oauth2RedirectUrl" not in body
    assert "ui.initOAuth" not in body


def test_script_content_cannot_close_the_script_element():
    body = swagger(
        init_oauth={"appName": "Evil</script><script>alert(1)</script>"},
        swagger_ui_parameters={"customKey": "<img src=x onerror=alert(1)>"},
        openapi_url="/o'</script><script>alert(2)//",
        oauth2_redirect_url="/r'+alert(3)+'",
    )
    assert "</script><script>" not in body
    assert "<img src=x" not in body
    assert "\\u003c/script\\u003e\\u003cscript\\u003e" in body
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in body
    assert "url: '/o\\u0027\\u003c/script\\u003e" in body
    assert "'/r\\u0027+alert(3)+\\u0027'" in body
    assert body.count("</script>") == 2


def test_html_in_title_and_urls_is_escaped():
    body = swagger(title="<b>API</b> & co", swagger_css_url='x.css" onload="alert(1)')
    assert "<title>&lt;b&gt;API&lt;/b&gt; &amp; co</title>" in body
    assert 'href="x.css&quot; onload=&quot;alert(1)"' in body
    page = redoc(title="<i>Docs</i>", openapi_url='/o.json"><script>alert(1)</script>')
    assert "<title>&lt;i&gt;Docs&lt;/i&gt;</title>" in page
    assert "<script>alert(1)" not in page


def test_redoc_defaults_load_redoc_2_from_the_cdn():
    defaults = inspect.signature(get_redoc_html).parameters
    body = redoc()
    assert defaults["redoc_js_url"].default in body
    assert defaults["redoc_favicon_url"].default in body
    assert "redoc@2" in defaults["redoc_js_url"].default
    assert '<redoc spec-url="/openapi.json"></redoc>' in body


def test_redoc_custom_urls():
    body = redoc(redoc_js_url="fake_redoc_file.js", redoc_favicon_url="fake_redoc_file.png")
    assert '<script src="fake_redoc_file.js"></script>' in body
    assert 'href="fake_redoc_file.png"' in body


@pytest.mark.parametrize(("with_google_fonts", "expected"), [(True, True), (False, False)])
def test_redoc_google_fonts_are_optional(with_google_fonts, expected):
    body = redoc(with_google_fonts=with_google_fonts)
    assert ("fonts.googleapis.com" in body) is expected


def test_oauth2_redirect_page_hands_the_answer_to_swagger_ui():
    response = get_swagger_ui_oauth2_redirect_html()
    body = bytes(response.body).decode()
    assert response.media_type == "text/html"
    assert "window.opener.swaggerUIRedirectOauth2" in body
    assert "window.close()" in body
