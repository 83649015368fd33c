"""The OpenAPI document shows the batteries: 401/403, 429 and the errors battery's body."""

from __future__ import annotations

from typing import Any

from veloxapi import APIRouter, Depends, Security, VeloxAPI
from veloxapi.batteries import augment_app
from veloxapi.batteries.errors import ErrorSettings
from veloxapi.batteries.ratelimit import RateLimit, RateLimitSettings
from veloxapi.security import HTTPBearer
from veloxapi.testclient import TestClient

bearer = HTTPBearer()


def build(**batteries: Any) -> dict[str, Any]:
    app = VeloxAPI()
    augment_app(app, **batteries)
    router = APIRouter(prefix="/orders", dependencies=[Depends(RateLimit("5/minute"))])

    @router.get("")
    async def orders() -> list[int]:
        return []

    @app.get("/secret")
    async def secret(token: Any = Security(bearer)) -> str:
        return "s"

    @app.get("/items/{item_id}", responses={403: {"description": "Mine"}})
    async def item(item_id: int, token: Any = Security(bearer)) -> int:
        return item_id

    app.include_router(router)
    document: dict[str, Any] = TestClient(app).get("/openapi.json").json()
    return document


def responses(document: dict[str, Any], path: str) -> dict[str, Any]:
    result: dict[str, Any] = document["paths"][path]["get"]["responses"]
    return result


def test_protected_and_limited_routes_document_their_answers() -> None:
    document = build(rate_limit=RateLimitSettings())
    assert set(responses(document, "/secret")) == {"200", "401", "403"}
    assert responses(document, "/items/{item_id}")["403"]["description"] == "Mine"
    limited = responses(document, "/orders")
    assert set(limited) == {"200", "429"}
    assert "Retry-After" in limited["429"]["headers"]
    schema = limited["429"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["detail"]


def test_with_the_errors_battery_errors_document_its_body() -> None:
    document = build(rate_limit=True, errors=True)
    body = document["components"]["schemas"]["BatteryError"]
    assert body["required"] == ["detail", "status", "code", "request_id"]
    ref = {"$ref": "#/components/schemas/BatteryError"}
    assert responses(document, "/orders")["429"]["content"]["application/json"]["schema"] == ref
    validation = responses(document, "/items/{item_id}")["422"]["content"]
    assert validation == {"application/json": {"schema": ref}}


def test_problem_json_shape() -> None:
    document = build(errors=ErrorSettings(problem_json=True))
    content = responses(document, "/secret")["401"]["content"]
    assert list(content) == ["application/problem+json"]
    assert "instance" in document["components"]["schemas"]["BatteryError"]["properties"]


def test_apps_without_batteries_keep_the_plain_document() -> None:
    document = build()
    assert set(responses(document, "/secret")) == {"200"}
    assert set(responses(document, "/orders")) == {"200"}
