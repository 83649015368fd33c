"""The errors battery on a VeloxAPI app: framework errors take the same shape."""

from __future__ import annotations

from veloxapi import Depends, HTTPException, VeloxAPI
from veloxapi.batteries.errors import ErrorSettings, NotFound, install_errors
from veloxapi.testclient import TestClient


def load_order(order_id: int) -> int:
    if order_id != 1:
        raise NotFound(f"order {order_id} not found")
    return order_id


def build(**settings: object) -> TestClient:
    app = VeloxAPI()
    install_errors(app, ErrorSettings(**settings))  # type: ignore[arg-type]

    @app.get("/orders/{order_id}")
    def order(found: int = Depends(load_order)) -> dict[str, int]:
        return {"id": found}

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(418, "short and stout", headers={"X-Kind": "teapot"})

    @app.get("/crash")
    def crash() -> None:
        raise ZeroDivisionError("secret ledger state")

    return TestClient(app)


def test_named_error_from_a_dependency() -> None:
    response = build().get("/orders/7", headers={"X-Request-ID": "r-7"})
    assert response.status_code == 404
    assert response.json() == {
        "detail": "order 7 not found",
        "status": 404,
        "code": "not_found",
        "request_id": "r-7",
    }


def test_http_exception_keeps_headers_and_takes_the_shape() -> None:
    response = build().get("/teapot")
    assert response.status_code == 418
    assert response.headers["x-kind"] == "teapot"
    assert response.json()["detail"] == "short and stout"
    assert "request_id" in response.json()


def test_validation_errors_keep_their_list() -> None:
    body = build().get("/orders/abc").json()
    assert body["status"] == 422
    assert body["code"] == "validation_error"
    assert body["detail"][0]["loc"] == ["path", "order_id"]


def test_validation_errors_as_problem_json() -> None:
    response = build(problem_json=True).get("/orders/abc")
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    assert body["errors"][0]["loc"] == ["path", "order_id"]


def test_unhandled_exception_in_sync_endpoint() -> None:
    response = build().get("/crash")
    assert response.status_code == 500
    assert "secret" not in response.text
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_unknown_route() -> None:
    response = build().get("/missing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
