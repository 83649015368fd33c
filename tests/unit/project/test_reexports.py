"""The thin public modules expose Starlette's objects under FastAPI's module paths."""

from __future__ import annotations

import importlib
import logging
import warnings

import pytest
import starlette.status
from starlette.exceptions import StarletteDeprecationWarning

status = importlib.import_module("veloxapi.status")

REEXPORTS = [
    ("veloxapi.background", "BackgroundTasks", "starlette.background"),
    ("veloxapi.requests", "Request", "starlette.requests"),
    ("veloxapi.requests", "HTTPConnection", "starlette.requests"),
    ("veloxapi.websockets", "WebSocket", "starlette.websockets"),
    ("veloxapi.websockets", "WebSocketDisconnect", "starlette.websockets"),
    ("veloxapi.websockets", "WebSocketState", "starlette.websockets"),
    ("veloxapi.testclient", "TestClient", "starlette.testclient"),
    ("veloxapi.staticfiles", "StaticFiles", "starlette.staticfiles"),
    ("veloxapi.templating", "Jinja2Templates", "starlette.templating"),
    ("veloxapi.middleware", "Middleware", "starlette.middleware"),
    ("veloxapi.middleware.cors", "CORSMiddleware", "starlette.middleware.cors"),
    ("veloxapi.middleware.gzip", "GZipMiddleware", "starlette.middleware.gzip"),
    (
        "veloxapi.middleware.trustedhost",
        "TrustedHostMiddleware",
        "starlette.middleware.trustedhost",
    ),
    (
        "veloxapi.middleware.httpsredirect",
        "HTTPSRedirectMiddleware",
        "starlette.middleware.httpsredirect",
    ),
    ("veloxapi.responses", "Response", "starlette.responses"),
    ("veloxapi.responses", "JSONResponse", "starlette.responses"),
    ("veloxapi.responses", "HTMLResponse", "starlette.responses"),
    ("veloxapi.responses", "PlainTextResponse", "starlette.responses"),
    ("veloxapi.responses", "RedirectResponse", "starlette.responses"),
    ("veloxapi.responses", "StreamingResponse", "starlette.responses"),
    ("veloxapi.responses", "FileResponse", "starlette.responses"),
    ("veloxapi.datastructures", "URL", "starlette.datastructures"),
    ("veloxapi.datastructures", "Address", "starlette.datastructures"),
    ("veloxapi.datastructures", "FormData", "starlette.datastructures"),
    ("veloxapi.datastructures", "Headers", "starlette.datastructures"),
    ("veloxapi.datastructures", "QueryParams", "starlette.datastructures"),
    ("veloxapi.datastructures", "State", "starlette.datastructures"),
    ("veloxapi.concurrency", "run_in_threadpool", "starlette.concurrency"),
    ("veloxapi.concurrency", "iterate_in_threadpool", "starlette.concurrency"),
]


@pytest.mark.parametrize(("module", "name", "origin"), REEXPORTS)
def test_name_is_starlettes_object(module: str, name: str, origin: str) -> None:
    public = importlib.import_module(module)
    assert getattr(public, name) is getattr(importlib.import_module(origin), name)
    assert name in public.__all__


def test_wsgi_middleware_is_starlettes_with_its_deprecation_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from starlette.middleware.wsgi import WSGIMiddleware

        from veloxapi.middleware.wsgi import WSGIMiddleware as Public
    assert Public is WSGIMiddleware


def test_status_has_every_starlette_constant() -> None:
    assert sorted(status.__all__) == sorted(starlette.status.__all__)
    assert status.HTTP_418_IM_A_TEAPOT == 418
    assert status.WS_1008_POLICY_VIOLATION == 1008


def test_status_deprecated_names_resolve_with_a_warning() -> None:
    with pytest.warns(StarletteDeprecationWarning, match="HTTP_422_UNPROCESSABLE_CONTENT"):
        assert status.HTTP_422_UNPROCESSABLE_ENTITY == 422


def test_status_unknown_name_is_an_attribute_error_naming_the_module() -> None:
    with pytest.raises(AttributeError, match=r"'veloxapi\.status' has no attribute 'HTTP_999'"):
        _ = status.HTTP_999


def test_logger_is_the_veloxapi_logger() -> None:
    from veloxapi.logger import logger

    assert logger is logging.getLogger("veloxapi")
