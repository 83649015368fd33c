"""Swagger UI and ReDoc files served by the app itself, so the docs work offline.

The files come from an installed PyPI package, ``openapi-ui-bundles`` (a
dependency of veloxapi; Apache-2.0): it ships the official npm builds of
``swagger-ui-dist`` (major version 5) and ``redoc`` (major version 2, the
``redoc.standalone.js`` bundle) as plain files and depends on nothing else.
Only its static files are read; its Python code is never imported. The major
versions are checked at start-up, so a release that changes them fails the
app's start, not a reader's browser.

Wiring, as the app does it::

    app.mount(DOCS_ASSETS_PATH, docs_assets_app())
    urls = local_asset_urls(root_path + DOCS_ASSETS_PATH)
    get_swagger_ui_html(openapi_url=..., title=..., **urls.swagger_ui())
    get_redoc_html(openapi_url=..., title=..., **urls.redoc())

:data:`CDN_ASSET_URLS` gives the public-CDN URLs instead, for apps that prefer
them (nothing is mounted then).
"""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.routing import Mount, Router
from starlette.staticfiles import StaticFiles

from veloxapi.openapi.docs import REDOC_CDN, SWAGGER_UI_CDN

DOCS_ASSETS_PATH = "/_velox/docs-assets"
"""Where the app mounts :func:`docs_assets_app` unless configured otherwise."""

ASSETS_PACKAGE = "openapi_ui_bundles"
ASSETS_DISTRIBUTION = "openapi-ui-bundles"
_INSTALL_HINT = 'pip install "openapi-ui-bundles>=0.3,<0.4"'

_SWAGGER_DIR = "swagger-ui-dist@5"
_REDOC_DIR = "redoc@2"


@dataclass(frozen=True)
class _Bundle:
    """One npm build inside the assets package, and how to check its major version."""

    name: str
    url_dir: str  # names the npm package and major version the URLs promise
    package_dir: str
    files: tuple[str, ...]
    version_file: str
    version_pattern: re.Pattern[bytes]
    major: int


_BUNDLES = (
    _Bundle(
        name="Swagger UI",
        url_dir=_SWAGGER_DIR,
        package_dir="swagger_ui/vendor",
        files=("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"),
        version_file="swagger-ui-bundle.js",
        version_pattern=re.compile(rb'PACKAGE_VERSION:"(\d+)\.'),
        major=5,
    ),
    # ReDoc 3 is an ES module that the classic <script> of the /redoc page cannot load.
    _Bundle(
        name="ReDoc",
        url_dir=_REDOC_DIR,
        package_dir="redoc/vendor",
        files=("redoc.standalone.js",),
        version_file="redoc.standalone.js",
        version_pattern=re.compile(rb'ReDoc Version: ",\s*"(\d+)\.'),
        major=2,
    ),
)


@dataclass(frozen=True)
class DocsAssetUrls:
    """The URLs a docs page loads, and whether ReDoc may fetch Google Fonts."""

    swagger_js_url: str
    swagger_css_url: str
    swagger_favicon_url: str
    redoc_js_url: str
    redoc_favicon_url: str
    with_google_fonts: bool

    def swagger_ui(self) -> dict[str, Any]:
        """Keyword arguments for :func:`~veloxapi.openapi.docs.get_swagger_ui_html`."""
        return {
            "swagger_js_url": self.swagger_js_url,
            "swagger_css_url": self.swagger_css_url,
            "swagger_favicon_url": self.swagger_favicon_url,
        }

    def redoc(self) -> dict[str, Any]:
        """Keyword arguments for :func:`~veloxapi.openapi.docs.get_redoc_html`."""
        return {
            "redoc_js_url": self.redoc_js_url,
            "redoc_favicon_url": self.redoc_favicon_url,
            "with_google_fonts": self.with_google_fonts,
        }


CDN_ASSET_URLS = DocsAssetUrls(
    swagger_js_url=f"{SWAGGER_UI_CDN}/swagger-ui-bundle.js",
    swagger_css_url=f"{SWAGGER_UI_CDN}/swagger-ui.css",
    swagger_favicon_url=f"{SWAGGER_UI_CDN}/favicon-32x32.png",
    redoc_js_url=f"{REDOC_CDN}/redoc.standalone.js",
    redoc_favicon_url=f"{SWAGGER_UI_CDN}/favicon-32x32.png",
    with_google_fonts=True,
)
"""The same files from the jsDelivr CDN: the browser needs internet access."""


def local_asset_urls(prefix: str = DOCS_ASSETS_PATH) -> DocsAssetUrls:
    """URLs of the files served by :func:`docs_assets_app` mounted at ``prefix``.

    ``prefix`` is the URL path the browser sees, so include the app's
    ``root_path`` when it runs behind a proxy.
    """
    base = prefix.rstrip("/")
    favicon = f"{base}/{_SWAGGER_DIR}/favicon-32x32.png"
    return DocsAssetUrls(
        swagger_js_url=f"{base}/{_SWAGGER_DIR}/swagger-ui-bundle.js",
        swagger_css_url=f"{base}/{_SWAGGER_DIR}/swagger-ui.css",
        swagger_favicon_url=favicon,
        redoc_js_url=f"{base}/{_REDOC_DIR}/redoc.standalone.js",
        redoc_favicon_url=favicon,
        with_google_fonts=False,
    )


def assets_package_root() -> Path:
    """The installed assets package's directory; ImportError naming the extra if absent."""
    spec = importlib.util.find_spec(ASSETS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "Serving the Swagger UI and ReDoc files offline needs the "
            f"'{ASSETS_DISTRIBUTION}' package (a dependency of veloxapi): {_INSTALL_HINT}. "
            "Or configure the app to load them from the CDN."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _check_files(root: Path, directory: Path, bundle: _Bundle) -> None:
    missing = [name for name in bundle.files if not (directory / name).is_file()]
    if missing:
        raise ImportError(
            f"The installed '{ASSETS_DISTRIBUTION}' at {root} lacks {missing} "
            f"in {directory}; reinstall a supported version: {_INSTALL_HINT}."
        )


def _check_major_version(root: Path, directory: Path, bundle: _Bundle) -> None:
    version_path = directory / bundle.version_file
    text = version_path.read_bytes() if version_path.is_file() else b""
    found = bundle.version_pattern.search(text)
    if found is None or int(found.group(1)) != bundle.major:
        shown = found.group(1).decode() if found else "unknown"
        raise ImportError(
            f"The installed '{ASSETS_DISTRIBUTION}' at {root} ships {bundle.name} "
            f"major version {shown}, but the docs pages need {bundle.major}: install a "
            f"release that ships {bundle.name} {bundle.major} ({_INSTALL_HINT} pins the "
            "supported range), or load the docs files from the CDN."
        )


def _checked_directory(root: Path, bundle: _Bundle) -> Path:
    directory = root / bundle.package_dir
    _check_files(root, directory, bundle)
    _check_major_version(root, directory, bundle)
    return directory


@functools.lru_cache(maxsize=4)
def _asset_directories(root: Path) -> dict[str, Path]:
    return {bundle.url_dir: _checked_directory(root, bundle) for bundle in _BUNDLES}


def docs_assets_app() -> Router:
    """An ASGI app serving the Swagger UI and ReDoc files; mount it at the asset prefix.

    Raises ImportError (naming the ``docs`` extra) when the files are not installed,
    so a misconfigured deployment fails at start-up, not when someone opens /docs.
    """
    directories = _asset_directories(assets_package_root())
    return Router(
        routes=[
            Mount(f"/{url_dir}", app=StaticFiles(directory=directory))
            for url_dir, directory in directories.items()
        ]
    )


__all__ = [
    "ASSETS_DISTRIBUTION",
    "ASSETS_PACKAGE",
    "CDN_ASSET_URLS",
    "DOCS_ASSETS_PATH",
    "DocsAssetUrls",
    "assets_package_root",
    "docs_assets_app",
    "local_asset_urls",
]
