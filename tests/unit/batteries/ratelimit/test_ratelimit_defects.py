"""Rate limits: integer user ids, calendar-aligned memory windows, slowapi header names."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from veloxapi import Depends, Request, VeloxAPI
from veloxapi.batteries.ratelimit import (
    Algorithm,
    MemoryRateLimitStore,
    Rate,
    RateLimit,
    RateLimitSettings,
    install_rate_limit,
)
from veloxapi.testclient import TestClient

pytestmark = pytest.mark.anyio


@dataclass
class User:
    id: int


def load_user(request: Request) -> None:
    request.state.user = User(int(request.headers["x-user-id"]))


def test_subject_key_accepts_an_integer_user_id() -> None:
    app = VeloxAPI()
    install_rate_limit(app, RateLimitSettings())

    @app.get("/me", dependencies=[Depends(load_user), Depends(RateLimit("1/hour", key="subject"))])
    async def me() -> str:
        return "me"

    client = TestClient(app)
    assert client.get("/me", headers={"x-user-id": "1"}).status_code == 200
    assert client.get("/me", headers={"x-user-id": "2"}).status_code == 200
    assert client.get("/me", headers={"x-user-id": "1"}).status_code == 429


async def test_memory_fixed_windows_end_on_the_calendar_boundary() -> None:
    store = MemoryRateLimitStore()
    decision = await store.hit("k", Rate(5, 3600), Algorithm.FIXED_WINDOW)
    until_next_hour = 3600 - time.time() % 3600
    assert abs(decision.reset - until_next_hour) < 5


def test_slowapi_header_names_on_request() -> None:
    app = VeloxAPI()
    install_rate_limit(app, RateLimitSettings(legacy_headers=True))

    @app.get("/x", dependencies=[Depends(RateLimit("1/hour"))])
    async def x() -> str:
        return "x"

    client = TestClient(app)
    allowed = client.get("/x")
    denied = client.get("/x")
    assert allowed.headers["x-ratelimit-limit"] == "1"
    assert allowed.headers["x-ratelimit-remaining"] == "0"
    assert denied.status_code == 429
    reset = int(denied.headers["x-ratelimit-reset"])
    assert time.time() < reset <= time.time() + 3601
    assert denied.headers["ratelimit-limit"] == "1"


def test_slowapi_header_names_are_off_by_default() -> None:
    app = VeloxAPI()
    install_rate_limit(app, RateLimitSettings())

    @app.get("/x", dependencies=[Depends(RateLimit("1/hour"))])
    async def x() -> str:
        return "x"

    response = TestClient(app).get("/x")
    assert "x-ratelimit-limit" not in response.headers
    assert response.headers["ratelimit-limit"] == "1"
