"""Errors, rate limiting and caching wired together by ``augment_app``."""

from __future__ import annotations

import itertools

from veloxapi import Depends, VeloxAPI
from veloxapi.batteries import augment_app
from veloxapi.batteries.cache import Cache
from veloxapi.batteries.errors import NotFound
from veloxapi.batteries.ratelimit import RateLimitSettings
from veloxapi.testclient import TestClient


def build() -> TestClient:
    app = VeloxAPI()
    calls = itertools.count(1)

    @app.get("/items/{item_id}", dependencies=[Depends(Cache(ttl=60))])
    async def read_item(item_id: int) -> dict[str, int]:
        if item_id == 0:
            raise NotFound("no item 0")
        return {"id": item_id, "call": next(calls)}

    augment_app(
        app,
        request_id=True,
        errors=True,
        rate_limit=RateLimitSettings(default_limits=("4/hour",)),
        cache=True,
    )
    return TestClient(app)


def test_cached_answers_still_count_against_global_limits() -> None:
    client = build()
    responses = [client.get("/items/1") for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert [r.headers.get("x-cache") for r in responses[:4]] == ["MISS", "HIT", "HIT", "HIT"]
    assert [r.headers["ratelimit-remaining"] for r in responses[:4]] == ["3", "2", "1", "0"]
    denied = responses[-1]
    assert denied.json()["code"] == "rate_limited"
    assert denied.json()["request_id"] == denied.headers["x-request-id"]


def test_errors_of_cached_routes_are_not_cached_and_keep_the_shape() -> None:
    client = build()
    first = client.get("/items/0")
    assert first.status_code == 404
    assert first.json()["request_id"] == first.headers["x-request-id"]
    assert "x-cache" not in first.headers
