"""The errors battery on a VeloxAPI app: framework errors take the same shape."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from veloxapi import Body, Depends, HTTPException, VeloxAPI
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


def walk_strings(value: object) -> list[str]:
    """Every string in a decoded JSON body, keys included, at any depth."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *walk_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in walk_strings(item)]
    return []


def echo_app(**settings: object) -> TestClient:
    app = VeloxAPI(max_json_depth=None)  # the depth limit would refuse the deep echo at input
    install_errors(app, ErrorSettings(**settings))  # type: ignore[arg-type]

    @app.post("/echo")
    async def echo(payload: Annotated[Any, Body()]) -> Any:
        return payload

    @app.get("/unserializable")
    async def unserializable() -> dict[str, Any]:
        return {"handle": object()}

    return TestClient(app)


@pytest.mark.parametrize("problem_json", [False, True])
def test_serialization_failure_is_a_500_not_the_clients_fault(problem_json: bool) -> None:
    client = echo_app(problem_json=problem_json)
    depth = 600  # parses as JSON, but is deeper than the serializer will write
    response = client.post(
        "/echo",
        content="[" * depth + "]" * depth,
        headers={"content-type": "application/json", "x-request-id": "deep-1"},
    )
    assert response.status_code == 500
    assert response.json()["request_id"] == "deep-1"
    for text in walk_strings(response.json()):
        assert "serializ" not in text.lower()
        assert "depth" not in text.lower()
    response = client.get("/unserializable")
    assert response.status_code == 500
    assert "object" not in response.text


def test_value_error_from_endpoint_code_is_500_even_with_input_map() -> None:
    app = VeloxAPI()
    install_errors(app, ErrorSettings(input_status_map={ValueError: 400}))

    @app.get("/settings")
    def settings() -> None:
        raise ValueError("VELOX_DB_URL=postgres://admin:hunter2@10.0.0.3 is not a valid URL")

    response = TestClient(app).get("/settings")
    assert response.status_code == 500
    assert all("hunter2" not in s and "10.0.0.3" not in s for s in walk_strings(response.json()))


def test_problem_json_is_what_the_openapi_document_says() -> None:
    client = build(problem_json=True)
    document = client.get("/openapi.json").json()
    responses = document["paths"]["/orders/{order_id}"]["get"]["responses"]
    assert set(responses["422"]["content"]) == {"application/problem+json"}
    assert set(responses["200"]["content"]) == {"application/json"}
    problem = document["components"]["schemas"]["BatteryError"]
    assert "errors" in problem["properties"]
    answered = client.get("/orders/abc")
    assert answered.headers["content-type"] == "application/problem+json"
    assert set(problem["required"]) <= set(answered.json())
    assert client.get("/openapi.json").json() == document  # built once, rewritten once


def test_plain_bodies_keep_the_generated_document() -> None:
    document = build().get("/openapi.json").json()
    responses = document["paths"]["/orders/{order_id}"]["get"]["responses"]
    assert set(responses["422"]["content"]) == {"application/json"}
    assert "BatteryError" not in document["components"]["schemas"]
