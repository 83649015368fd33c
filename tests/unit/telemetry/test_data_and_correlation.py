"""``get_telemetry_data`` during a request, and the request id battery's id in spans and logs."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel

from veloxapi import Depends, FastAPI, Request
from veloxapi.batteries.request_id import RequestIdMiddleware
from veloxapi.exceptions import RequestValidationError
from veloxapi.telemetry import TelemetryData, get_telemetry_data
from veloxapi.testclient import TestClient

from .conftest import Otel


class Order(BaseModel):
    sku: str
    quantity: int


seen: dict[str, object] = {}


def audit(request: Request) -> str:
    data = get_telemetry_data()
    assert data is not None
    seen["in dependency"] = (data.request is request, data.body, data.values)
    return "audited"


def test_data_follows_the_request_and_is_gone_afterwards(otel: Otel) -> None:
    app = FastAPI(telemetry=otel.config)
    seen.clear()

    @app.post("/orders")
    async def place(order: Order, note: Annotated[str, Depends(audit)]) -> str:
        data = get_telemetry_data()
        assert data is not None
        seen["data"] = data
        seen["in endpoint"] = (
            data.values is not None and data.values["order"] is order,
            data.errors,
        )
        return note

    assert TestClient(app).post("/orders", json={"sku": "A-1", "quantity": 2}).json() == "audited"
    assert seen["in dependency"] == (True, {"sku": "A-1", "quantity": 2}, None)
    assert seen["in endpoint"] == (True, [])
    assert get_telemetry_data() is None
    data = seen["data"]
    assert isinstance(data, TelemetryData)


def test_validation_errors_are_in_the_data(otel: Otel) -> None:
    app = FastAPI(telemetry=otel.config)
    captured: list[TelemetryData | None] = []

    @app.exception_handler(RequestValidationError)
    async def keep(request: Request, exc: Exception) -> object:
        from veloxapi.responses import JSONResponse

        data = get_telemetry_data()
        captured.append(data)
        return JSONResponse({"errors": len(data.errors or []) if data else None}, 422)

    @app.post("/orders")
    async def place(order: Order) -> str:
        return order.sku

    response = TestClient(app).post("/orders", json={"sku": "A-1", "quantity": "many"})
    assert response.status_code == 422
    assert response.json() == {"errors": 1}
    assert captured[0] is not None and captured[0].body == {"sku": "A-1", "quantity": "many"}


def test_the_request_id_is_on_the_span_and_the_log_records(otel: Otel) -> None:
    app = FastAPI(telemetry=otel.config)
    app.add_middleware(RequestIdMiddleware)

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> int:
        return item_id

    client = TestClient(app)
    assert client.get("/items/1", headers={"X-Request-ID": "req-42"}).status_code == 200
    assert client.get("/items/nope", headers={"X-Request-ID": "req-43"}).status_code == 422
    servers = [s for s in otel.finished() if s.name.startswith("GET")]
    assert [s.attributes["veloxapi.request_id"] for s in servers] == ["req-42", "req-43"]
    endpoint = otel.named("fastapi.endpoint")[0]
    assert endpoint.attributes is not None
    assert endpoint.attributes["veloxapi.request_id"] == "req-42"
    (record,) = otel.records()
    assert record.log_record.attributes is not None
    assert record.log_record.attributes["veloxapi.request_id"] == "req-43"


def test_without_the_battery_there_is_no_request_id_attribute(otel: Otel) -> None:
    app = FastAPI(telemetry=otel.config)

    @app.get("/")
    async def root() -> str:
        return "ok"

    TestClient(app).get("/", headers={"X-Request-ID": "req-1"})
    assert all("veloxapi.request_id" not in (s.attributes or {}) for s in otel.finished())
