from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from veloxapi.openapi import assets
from veloxapi.openapi.assets import (
    CDN_ASSET_URLS,
    DOCS_ASSETS_PATH,
    docs_assets_app,
    local_asset_urls,
)
from veloxapi.openapi.docs import get_redoc_html, get_swagger_ui_html


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = Starlette(routes=[Mount(DOCS_ASSETS_PATH, app=docs_assets_app())])
    return TestClient(app)


def test_local_urls_name_the_npm_package_and_major_version():
    urls = local_asset_urls()
    assert urls.swagger_js_url == f"{DOCS_ASSETS_PATH}/swagger-ui-dist@5/swagger-ui-bundle.js"
    assert urls.swagger_css_url == f"{DOCS_ASSETS_PATH}/swagger-ui-dist@5/swagger-ui.css"
    assert urls.redoc_js_url == f"{DOCS_ASSETS_PATH}/redoc@2/redoc.standalone.js"
    assert urls.with_google_fonts is False


def test_local_urls_follow_the_prefix():
    urls = local_asset_urls("/api/v1/assets/")
    assert urls.swagger_js_url == "/api/v1/assets/swagger-ui-dist@5/swagger-ui-bundle.js"
    assert urls.redoc_favicon_url == "/api/v1/assets/swagger-ui-dist@5/favicon-32x32.png"


def test_every_local_url_is_served(client):
    urls = local_asset_urls()
    expected_types = {
        urls.swagger_js_url: "javascript",
        urls.swagger_css_url: "text/css",
        urls.swagger_favicon_url: "image/png",
        urls.redoc_js_url: "javascript",
    }
    for url, content_type in expected_types.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert content_type in response.headers["content-type"]
        assert len(response.content) > 100


def test_scripts_are_the_real_bundles(client):
    urls = local_asset_urls()
    assert b"SwaggerUIBundle" in client.get(urls.swagger_js_url).content
    assert b"Redoc" in client.get(urls.redoc_js_url).content


def test_unknown_asset_is_404(client):
    assert client.get(f"{DOCS_ASSETS_PATH}/swagger-ui-dist@5/nope.js").status_code == 404
    assert client.get(f"{DOCS_ASSETS_PATH}/other/x.js").status_code == 404


def test_pages_built_with_local_urls_reference_no_other_host():
    urls = local_asset_urls()
    pages = [
        get_swagger_ui_html(openapi_url="/openapi.json", title="T", **urls.swagger_ui()),
        get_redoc_html(openapi_url="/openapi.json", title="T", **urls.redoc()),
    ]
    for page in pages:
        assert "http" not in bytes(page.body).decode()


def test_cdn_urls_are_the_docs_function_defaults():
    body = bytes(get_swagger_ui_html(openapi_url="/o", title="T").body).decode()
    assert CDN_ASSET_URLS.swagger_js_url in body
    assert CDN_ASSET_URLS.with_google_fonts is True
    assert "redoc@2" in CDN_ASSET_URLS.redoc_js_url


def test_missing_package_names_the_distribution(monkeypatch):
    monkeypatch.setattr(assets, "ASSETS_PACKAGE", "veloxapi_tests_no_such_package")
    with pytest.raises(ImportError, match=r'pip install "openapi-ui-bundles'):
        docs_assets_app()


def test_package_without_the_files_is_reported_at_startup(monkeypatch, tmp_path: Path):
    package = tmp_path / "veloxapi_tests_empty_assets"
    package.mkdir()
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(assets, "ASSETS_PACKAGE", "veloxapi_tests_empty_assets")
    with pytest.raises(ImportError, match=r"swagger-ui-bundle\.js") as exc_info:
        docs_assets_app()
    assert str(package) in str(exc_info.value)


def _fake_assets_package(tmp_path: Path, swagger_version: str, redoc_version: str) -> str:
    name = "veloxapi_tests_fake_bundles"
    swagger = tmp_path / name / "swagger_ui" / "vendor"
    redoc_dir = tmp_path / name / "redoc" / "vendor"
    swagger.mkdir(parents=True)
    redoc_dir.mkdir(parents=True)
    (tmp_path / name / "__init__.py").write_text("")
    (swagger / "swagger-ui-bundle.js").write_text(f'x={{PACKAGE_VERSION:"{swagger_version}"}}')
    (swagger / "swagger-ui.css").write_text("")
    (swagger / "favicon-32x32.png").write_bytes(b"")
    (redoc_dir / "redoc.standalone.js").write_text(f'x(" ReDoc Version: ","{redoc_version}")')
    return name


def test_a_redoc_3_bundle_is_refused_at_startup(monkeypatch, tmp_path: Path):
    name = _fake_assets_package(tmp_path, swagger_version="5.40.0", redoc_version="3.0.1")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(assets, "ASSETS_PACKAGE", name)
    with pytest.raises(ImportError, match="ReDoc major version 3, but the docs pages need 2"):
        docs_assets_app()


def test_matching_major_versions_are_accepted(monkeypatch, tmp_path: Path):
    name = _fake_assets_package(tmp_path, swagger_version="5.40.0", redoc_version="2.9.0")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(assets, "ASSETS_PACKAGE", name)
    client = TestClient(Starlette(routes=[Mount("/assets", app=docs_assets_app())]))
    assert client.get("/assets/redoc@2/redoc.standalone.js").status_code == 200
