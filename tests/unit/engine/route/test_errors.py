"""Errors: HTTPException, custom handlers, validation handler overrides, unhandled errors."""

from typing import Annotated, Any

import pytest
from starlette.exceptions import HTTPException as StarletteHTTPException

from veloxapi import Depends, HTTPException, Request, VeloxAPI
from veloxapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from veloxapi.exceptions import RequestValidationError
from veloxapi.responses import JSONResponse, PlainTextResponse, Response
from veloxapi.testclient import TestClient


class UnicornError(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def test_http_exception_with_detail_and_headers() -> None:
    app = VeloxAPI()

    @app.get("/items/{item_id}")
    def item(item_id: str) -> dict[str, str]:
        if item_id != "foo":
            raise HTTPException(
                status_code=404, detail="Item not found", headers={"X-Error": "There goes my error"}
            )
        return {"item": "foo"}

    client = TestClient(app)
    response = client.get("/items/bar")
    assert response.status_code == 404
    assert response.json() == {"detail": "Item not found"}
    assert response.headers["x-error"] == "There goes my error"
    assert client.get("/items/foo").json() == {"item": "foo"}


def test_http_exception_detail_can_be_any_json() -> None:
    app = VeloxAPI()

    @app.get("/")
    def endpoint() -> None:
        raise HTTPException(status_code=400, detail={"code": 7, "fields": ["a"]})

    response = TestClient(app).get("/")
    assert response.status_code == 400
    assert response.json() == {"detail": {"code": 7, "fields": ["a"]}}


def test_http_exception_without_detail_uses_status_phrase() -> None:
    app = VeloxAPI()

    @app.get("/")
    def endpoint() -> None:
        raise HTTPException(status_code=418)

    response = TestClient(app).get("/")
    assert response.status_code == 418
    assert response.json() == {"detail": "I'm a Teapot"}


def test_http_exception_with_304_has_no_body() -> None:
    app = VeloxAPI()

    @app.get("/")
    def endpoint() -> None:
        raise HTTPException(status_code=304, headers={"ETag": '"x"'})

    response = TestClient(app).get("/")
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == '"x"'


def test_custom_exception_handler() -> None:
    app = VeloxAPI()

    @app.exception_handler(UnicornError)
    async def unicorn_handler(request: Request, exc: UnicornError) -> JSONResponse:
        return JSONResponse(
            status_code=418, content={"message": f"Oops! {exc.name} did something."}
        )

    @app.get("/unicorns/{name}")
    async def unicorn(name: str) -> dict[str, str]:
        if name == "yolo":
            raise UnicornError(name=name)
        return {"unicorn_name": name}

    response = TestClient(app).get("/unicorns/yolo")
    assert response.status_code == 418
    assert response.json() == {"message": "Oops! yolo did something."}


def test_custom_handler_catches_exceptions_from_dependencies() -> None:
    def dep() -> None:
        raise UnicornError("dep")

    app = VeloxAPI(
        exception_handlers={
            UnicornError: lambda request, exc: JSONResponse({"from": exc.name}, status_code=409)
        }
    )

    @app.get("/")
    def endpoint(_: Annotated[None, Depends(dep)]) -> None:
        return None  # pragma: no cover

    response = TestClient(app).get("/")
    assert response.status_code == 409
    assert response.json() == {"from": "dep"}


def test_status_code_exception_handler() -> None:
    app = VeloxAPI()

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> PlainTextResponse:
        return PlainTextResponse(f"nothing at {request.url.path}", status_code=404)

    response = TestClient(app).get("/missing")
    assert response.status_code == 404
    assert response.text == "nothing at /missing"


def test_override_http_exception_handler_and_reuse_the_default() -> None:
    app = VeloxAPI()
    seen: list[int] = []

    @app.exception_handler(StarletteHTTPException)
    async def handler(request: Request, exc: StarletteHTTPException) -> Response:
        seen.append(exc.status_code)
        return await http_exception_handler(request, exc)

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> int:
        if item_id == 3:
            raise HTTPException(status_code=418, detail="Nope! I don't like 3.")
        return item_id

    client = TestClient(app)
    response = client.get("/items/3")
    assert response.json() == {"detail": "Nope! I don't like 3."}
    assert client.get("/nowhere").status_code == 404
    assert seen == [418, 404]


def test_override_request_validation_error_handler() -> None:
    app = VeloxAPI()

    @app.exception_handler(RequestValidationError)
    async def validation_handler(request: Request, exc: RequestValidationError) -> Response:
        messages = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())
        return PlainTextResponse(messages, status_code=400)

    @app.post("/items/{item_id}")
    async def item(item_id: int, body: dict[str, int]) -> int:
        return item_id  # pragma: no cover

    response = TestClient(app).get("/items/foo")
    assert response.status_code == 405
    response = TestClient(app).post("/items/foo", json={"a": 1})
    assert response.status_code == 400
    assert response.text == (
        "item_id: Input should be a valid integer, unable to parse string as an integer"
    )


def test_validation_error_exposes_the_received_body() -> None:
    app = VeloxAPI()

    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"errors": len(exc.errors()), "body": exc.body}, status_code=422)

    @app.post("/items")
    async def items(title: Annotated[str, Depends(lambda: "t")], size: dict[str, int]) -> Any:
        return size  # pragma: no cover

    response = TestClient(app).post("/items", json={"size": "XL"})
    assert response.json() == {"errors": 1, "body": {"size": "XL"}}


def test_reuse_default_validation_handler() -> None:
    app = VeloxAPI()
    calls: list[str] = []

    @app.exception_handler(RequestValidationError)
    async def handler(request: Request, exc: RequestValidationError) -> Response:
        calls.append(request.url.path)
        return await request_validation_exception_handler(request, exc)

    @app.get("/n")
    def n(value: int) -> int:
        return value  # pragma: no cover

    response = TestClient(app).get("/n?value=x")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "int_parsing"
    assert calls == ["/n"]


def test_unhandled_exception_is_a_plain_500() -> None:
    app = VeloxAPI()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with pytest.raises(RuntimeError, match="secret internals"):
        TestClient(app).get("/boom")
    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text


def test_exception_handler_for_exception_base_class() -> None:
    app = VeloxAPI()

    @app.exception_handler(Exception)
    async def everything(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": type(exc).__name__}, status_code=500)

    @app.get("/boom")
    def boom() -> None:
        raise KeyError("k")

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.json() == {"error": "KeyError"}


class _AsyncServerErrorHandler:
    """A 500 handler that is an object with an async ``__call__`` (awaited, as Starlette
    awaits it, not run in a thread)."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, request: Request, exc: Exception) -> JSONResponse:
        self.calls += 1
        return JSONResponse({"server_error": type(exc).__name__}, status_code=500)


@pytest.mark.parametrize("batteries", [False, True], ids=["bare", "batteries layer"])
def test_a_callable_object_500_handler_answers_server_errors(batteries: bool) -> None:
    handler = _AsyncServerErrorHandler()
    app = VeloxAPI(exception_handlers={500: handler})
    if batteries:
        from veloxapi.batteries import augment_app

        augment_app(app, request_id=True)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"server_error": "RuntimeError"}
    assert handler.calls == 1
    with pytest.raises(RuntimeError, match="secret internals"):
        TestClient(app).get("/boom")  # and the exception still reaches the server


def _raise_after_yield() -> Any:
    yield
    raise HTTPException(status_code=503, detail="Exception after yield")


def test_exception_after_yield_in_function_scope_replaces_the_response() -> None:
    app = VeloxAPI(dependencies=[Depends(_raise_after_yield, scope="function")])

    @app.get("/")
    def endpoint() -> dict[str, str]:
        return {"status": "ok"}

    response = TestClient(app).get("/")
    assert response.status_code == 503
    assert response.json() == {"detail": "Exception after yield"}


def test_exception_after_yield_in_request_scope_comes_after_the_response() -> None:
    app = VeloxAPI(dependencies=[Depends(_raise_after_yield, scope="request")])

    @app.get("/")
    def endpoint() -> dict[str, str]:
        return {"status": "ok"}

    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_handler_for_a_base_class_catches_subclasses() -> None:
    class AppError(Exception):
        pass

    class NotFoundError(AppError):
        pass

    app = VeloxAPI()

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse({"error": type(exc).__name__}, status_code=400)

    @app.get("/")
    def endpoint() -> None:
        raise NotFoundError

    response = TestClient(app).get("/")
    assert response.status_code == 400
    assert response.json() == {"error": "NotFoundError"}


def test_most_specific_handler_wins() -> None:
    class AppError(Exception):
        pass

    class NotFoundError(AppError):
        pass

    app = VeloxAPI()
    app.add_exception_handler(AppError, lambda r, e: JSONResponse({"h": "base"}, 400))
    app.add_exception_handler(NotFoundError, lambda r, e: JSONResponse({"h": "sub"}, 404))

    @app.get("/sub")
    def sub() -> None:
        raise NotFoundError

    @app.get("/base")
    def base() -> None:
        raise AppError

    client = TestClient(app)
    assert client.get("/sub").json() == {"h": "sub"}
    assert client.get("/base").json() == {"h": "base"}


def test_status_code_handler_catches_http_exceptions_from_endpoints() -> None:
    app = VeloxAPI()

    @app.exception_handler(418)
    def teapot(request: Request, exc: Exception) -> PlainTextResponse:
        return PlainTextResponse("short and stout", status_code=418)

    @app.get("/")
    def endpoint() -> None:
        raise HTTPException(status_code=418, detail="ignored")

    response = TestClient(app).get("/")
    assert response.status_code == 418
    assert response.text == "short and stout"


def test_handler_for_veloxapi_http_exception_does_not_see_routing_404() -> None:
    app = VeloxAPI()
    seen: list[int] = []

    @app.exception_handler(HTTPException)
    async def handler(request: Request, exc: HTTPException) -> JSONResponse:
        seen.append(exc.status_code)
        return JSONResponse({"custom": exc.detail}, status_code=exc.status_code)

    @app.get("/x")
    def x() -> None:
        raise HTTPException(status_code=409, detail="conflict")

    client = TestClient(app)
    assert client.get("/x").json() == {"custom": "conflict"}
    response = client.get("/missing")
    assert response.status_code == 404
    # Routing raises Starlette's HTTPException, which a handler for the subclass doesn't
    # catch (FastAPI's docs: register the handler for Starlette's class to see those too).
    assert response.json() == {"detail": "Not Found"}
    assert seen == [409]


def test_exception_in_handler_results_in_500() -> None:
    app = VeloxAPI()

    @app.exception_handler(UnicornError)
    async def broken(request: Request, exc: UnicornError) -> Response:
        raise RuntimeError("handler failed")

    @app.get("/")
    def endpoint() -> None:
        raise UnicornError("x")

    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500
