"""The batteries' layer, outermost, answers server errors as Starlette's ServerErrorMiddleware."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from ops_helpers import LogCapture
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.responses import StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi import Request, VeloxAPI
from veloxapi.batteries import augment_app
from veloxapi.batteries.layer import BatteryLayer
from veloxapi.batteries.logging import LoggingSettings, configure_logging
from veloxapi.responses import JSONResponse, PlainTextResponse
from veloxapi.testclient import TestClient


class Boom(Exception):
    pass


def build(*, debug: bool = False, errors: bool = False) -> VeloxAPI:
    app = VeloxAPI(debug=debug)

    @app.get("/boom")
    async def boom() -> None:
        raise Boom("kaboom")

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first"
            raise Boom("mid-stream")

        return StreamingResponse(chunks())

    augment_app(app, request_id=True, logging=True, errors=errors)
    return app


def test_the_layer_takes_the_place_of_server_error_middleware() -> None:
    stack = build().build_middleware_stack()
    assert isinstance(stack, BatteryLayer)
    assert isinstance(stack.server_errors, ServerErrorMiddleware)


def test_an_unhandled_error_is_a_plain_500_and_reaches_the_server(log_capture: LogCapture) -> None:
    app = build()
    configure_logging(LoggingSettings(), stream=log_capture.stream)  # type: ignore[arg-type]
    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    assert response.headers["content-type"].startswith("text/plain")
    assert "x-request-id" not in response.headers  # sent outside the layer, as before
    assert log_capture.access()[-1]["status"] == 500
    with pytest.raises(Boom, match="kaboom"):
        TestClient(app).get("/boom")


@pytest.mark.parametrize("errors", [False, True])
def test_debug_mode_shows_the_traceback_page(errors: bool) -> None:
    client = TestClient(build(debug=True, errors=errors), raise_server_exceptions=False)
    response = client.get("/boom", headers={"accept": "text/html"})
    assert response.status_code == 500
    assert "text/html" in response.headers["content-type"]
    assert "kaboom" in response.text


def test_the_apps_500_handler_answers_and_the_error_still_reaches_the_server() -> None:
    app = build()
    seen: list[str] = []

    @app.exception_handler(Exception)
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        seen.append(f"{request.url.path}: {exc}")
        return JSONResponse({"handled": str(exc)}, status_code=500)

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert (response.status_code, response.json()) == (500, {"handled": "kaboom"})
    with pytest.raises(Boom):
        TestClient(app).get("/boom")
    assert seen == ["/boom: kaboom", "/boom: kaboom"]


def test_a_sync_500_handler_is_called_too() -> None:
    app = build()

    @app.exception_handler(500)
    def handler(request: Request, exc: Exception) -> PlainTextResponse:
        return PlainTextResponse(f"sorry: {exc}", status_code=500)

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert (response.status_code, response.text) == (500, "sorry: kaboom")


def test_an_error_after_the_response_started_calls_the_handler_but_sends_nothing() -> None:
    app = build()
    seen: list[str] = []

    @app.exception_handler(Exception)
    async def handler(request: Request, exc: Exception) -> PlainTextResponse:
        seen.append(str(exc))
        return PlainTextResponse("too late", status_code=500)

    response = TestClient(app, raise_server_exceptions=False).get("/stream")
    assert (response.status_code, response.content) == (200, b"first")
    assert seen == ["mid-stream"]


class FailingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/fail-outside":
            raise Boom("outside the layer")
        await self.app(scope, receive, send)


def test_middleware_added_outside_the_layer_keeps_server_error_middleware() -> None:
    app = build()
    app.add_middleware(FailingMiddleware)
    assert isinstance(app.build_middleware_stack(), ServerErrorMiddleware)
    response = TestClient(app, raise_server_exceptions=False).get("/fail-outside")
    assert (response.status_code, response.text) == (500, "Internal Server Error")
