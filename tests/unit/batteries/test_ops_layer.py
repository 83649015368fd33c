"""The batteries' one outer layer, and the access line rendered from prepared parts."""

from __future__ import annotations

import json
import logging

import pytest
from ops_helpers import LogCapture, in_request, only_the_batterys_handler

from veloxapi import Depends, VeloxAPI
from veloxapi.batteries import augment_app
from veloxapi.batteries.cache import Cache
from veloxapi.batteries.layer import BatteryLayer
from veloxapi.batteries.logging import ACCESS_LOGGER, AccessLog, LoggingSettings, configure_logging
from veloxapi.batteries.ratelimit import RateLimitSettings
from veloxapi.testclient import TestClient


def build() -> VeloxAPI:
    app = VeloxAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/cached", dependencies=[Depends(Cache(ttl=60))])
    async def cached() -> dict[str, str]:
        return {"cached": "yes"}

    @app.get("/files/{token:path}")
    async def file(token: str) -> dict[str, int]:
        return {"length": len(token)}

    return app


def every_battery(app: VeloxAPI) -> None:
    augment_app(
        app,
        request_id=True,
        logging=True,
        metrics=True,
        security_headers=True,
        errors=True,
        rate_limit=RateLimitSettings(default_limits=("1000/minute",)),
        cache=True,
    )


def test_the_batteries_add_one_outer_layer() -> None:
    app = build()
    every_battery(app)
    assert [m.cls for m in app.user_middleware] == [BatteryLayer]


def plan_of(app: VeloxAPI, path: str) -> object:
    route = next(r for r in app.routes if getattr(r, "path", "") == path)
    return route.current_plan()  # type: ignore[attr-defined]


def test_a_route_without_batteries_keeps_the_plan_it_had() -> None:
    app = build()
    every_battery(app)
    plan = plan_of(app, "/items/{item_id}")
    assert len(plan.steps) == 1  # type: ignore[attr-defined]  # the endpoint alone
    assert plan.around is None  # type: ignore[attr-defined]
    cached = plan_of(app, "/cached")
    assert len(cached.steps) == 1  # type: ignore[attr-defined]  # the Cache marker is consumed
    assert cached.around is not None  # type: ignore[attr-defined]


def test_the_access_line_is_the_formatters_line(log_capture: LogCapture) -> None:
    configure_logging(LoggingSettings(), stream=log_capture.stream)  # type: ignore[arg-type]
    only_the_batterys_handler()
    scope = {"method": "GET", "client": ("10.0.0.9", 4711)}
    with in_request("req-1"):
        AccessLog().write(scope, "/items/{item_id}", 200, 1_234_500, 17, "req-1")  # prepared
        logging.getLogger(ACCESS_LOGGER).addFilter(lambda record: True)  # through a LogRecord
        try:
            AccessLog().write(scope, "/items/{item_id}", 200, 1_234_500, 17, "req-1")
        finally:
            logging.getLogger(ACCESS_LOGGER).filters.clear()
    fast, slow = log_capture.text.splitlines()
    assert json.loads(fast).keys() == json.loads(slow).keys()
    assert fast.split('"level"', 1)[1] == slow.split('"level"', 1)[1]  # all but the time


@pytest.mark.parametrize("path", ["/files/token:abc", "/items/3"])
def test_redaction_applies_to_the_access_line(log_capture: LogCapture, path: str) -> None:
    app = build()
    every_battery(app)
    configure_logging(LoggingSettings(), stream=log_capture.stream)  # type: ignore[arg-type]
    assert TestClient(app).get(path).status_code == 200
    line = log_capture.access()[-1]
    expected = logging.getLogger().handlers[-1].filters[1]  # the battery's redaction
    assert line["message"] == expected.redact_text(f"GET {line['route']} 200")  # type: ignore[attr-defined]
    assert line["request_id"]


@pytest.mark.parametrize("where", ["route", "app"])
def test_body_limits_still_answer_413_behind_the_battery_layer(where: str) -> None:
    # the layer leaves the body alone, so the app adds no 413 layer for it alone
    app = VeloxAPI(max_body_size=16 if where == "app" else None)

    @app.post("/upload", max_body_size=16 if where == "route" else None)
    async def upload(body: dict[str, str]) -> dict[str, str]:
        return body

    every_battery(app)
    client = TestClient(app)
    assert client.post("/upload", json={"a": "b"}).status_code == 200
    too_big = client.post("/upload", json={"a": "b" * 100})
    assert too_big.status_code == 413
    assert client.post("/upload", json={"a": "c"}).json() == {"a": "c"}
