"""The cache compiled into a route's plan: after every dependency, counted under the route."""

from __future__ import annotations

import itertools

from veloxapi import Depends, Header, HTTPException, Response, VeloxAPI
from veloxapi.batteries import augment_app
from veloxapi.batteries.cache import Cache
from veloxapi.batteries.ratelimit import RateLimit
from veloxapi.testclient import TestClient

REVOKED: set[str] = set()


def check_token(authorization: str = Header("")) -> str:
    token = authorization.removeprefix("Bearer ")
    if not token or token in REVOKED:
        raise HTTPException(401, "Not authenticated")
    return token


def build() -> tuple[TestClient, dict[str, int]]:
    app = VeloxAPI()
    counts = {"dependency": 0, "endpoint": 0}
    endpoint_calls = itertools.count(1)

    def counted() -> None:
        counts["dependency"] += 1

    def tagged(response: Response) -> None:
        response.headers["x-from-dependency"] = "yes"

    @app.get(
        "/report",
        dependencies=[Depends(counted), Depends(tagged), Depends(Cache(ttl=60, shared=True))],
    )
    async def report(token: str = Depends(check_token)) -> dict[str, int]:
        counts["endpoint"] = next(endpoint_calls)
        return {"call": counts["endpoint"]}

    @app.get(
        "/limited",
        dependencies=[Depends(Cache(ttl=60)), Depends(RateLimit("3/hour", key="ip"))],
    )
    async def limited() -> dict[str, str]:
        return {"ok": "yes"}

    augment_app(app, cache=True, rate_limit=True, metrics=True)
    return TestClient(app), counts


def test_every_dependency_runs_before_the_cache_answers() -> None:
    client, counts = build()
    first = client.get("/report", headers={"Authorization": "Bearer a"})
    hit = client.get("/report", headers={"Authorization": "Bearer a"})
    assert (first.headers["x-cache"], hit.headers["x-cache"]) == ("MISS", "HIT")
    assert hit.json() == {"call": 1}
    assert counts == {"dependency": 2, "endpoint": 1}


def test_a_revoked_token_gets_401_not_the_cached_body() -> None:
    client, _ = build()
    assert (
        client.get("/report", headers={"Authorization": "Bearer revoked-later"}).status_code == 200
    )
    REVOKED.add("revoked-later")
    refused = client.get("/report", headers={"Authorization": "Bearer revoked-later"})
    assert refused.status_code == 401
    assert "x-cache" not in refused.headers
    assert client.get("/report").status_code == 401


def test_headers_dependencies_set_reach_a_hit() -> None:
    client, _ = build()
    client.get("/report", headers={"Authorization": "Bearer b"})
    hit = client.get("/report", headers={"Authorization": "Bearer b"})
    assert hit.headers["x-cache"] == "HIT"
    assert hit.headers["x-from-dependency"] == "yes"


def test_limits_count_hits_and_their_headers_reach_them() -> None:
    client, _ = build()
    answers = [client.get("/limited") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers.get("x-cache") for r in answers[:3]] == ["MISS", "HIT", "HIT"]
    assert [r.headers["ratelimit-remaining"] for r in answers[:3]] == ["2", "1", "0"]


def test_hits_are_counted_under_the_route_template() -> None:
    client, _ = build()
    for _ in range(3):
        client.get("/report", headers={"Authorization": "Bearer c"})
    metrics = client.get("/metrics").text
    line = next(
        row
        for row in metrics.splitlines()
        if row.startswith("velox_http_requests_total{") and 'route="/report"' in row
    )
    assert line.endswith(" 3.0")
    assert "<unmatched>" not in metrics
