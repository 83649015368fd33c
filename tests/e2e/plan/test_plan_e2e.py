"""Batteries inside the route plan, over real HTTP (uvicorn, one worker).

A cached answer never skips the route's security dependencies; an address-keyed
limit counts requests before the credentials are checked; a user-keyed limit
counts after them; cache hits are counted under the route's template.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest

ServerFactory = Callable[[str, dict[str, str], int], str]


@pytest.fixture(scope="module")
def client(uvicorn_server: ServerFactory) -> Iterator[httpx.Client]:
    base_url = uvicorn_server("plan_app", {}, 1)
    with httpx.Client(base_url=base_url, timeout=10) as http:
        yield http


def token_for(client: httpx.Client, name: str) -> dict[str, str]:
    token = client.post(f"/login/{name}").json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_an_expired_token_never_gets_a_cached_body(client: httpx.Client) -> None:
    alice = token_for(client, "alice")
    first = client.get("/profile", headers=alice)
    assert (first.status_code, first.headers["x-cache"]) == (200, "MISS")
    hit = client.get("/profile", headers=alice)
    assert (hit.status_code, hit.headers["x-cache"]) == (200, "HIT")
    assert hit.json() == first.json()
    time.sleep(3.2)  # the token's lifetime is 2 s
    expired = client.get("/profile", headers=alice)
    assert expired.status_code == 401
    assert "x-cache" not in expired.headers
    assert "generation" not in expired.text


def test_a_missing_token_never_gets_a_cached_body(client: httpx.Client) -> None:
    assert client.get("/profile", headers=token_for(client, "bob")).status_code == 200
    anonymous = client.get("/profile")
    assert anonymous.status_code == 401
    assert "x-cache" not in anonymous.headers


def test_cache_hits_are_counted_under_the_route_template(client: httpx.Client) -> None:
    carol = token_for(client, "carol")
    for _ in range(3):
        assert client.get("/profile", headers=carol).status_code == 200
    metrics = client.get("/metrics").text
    assert 'route="<unmatched>"' not in metrics
    line = next(
        row
        for row in metrics.splitlines()
        if row.startswith("velox_http_requests_total{")
        and 'route="/profile"' in row
        and 'status="200"' in row
    )
    assert float(line.rsplit(" ", 1)[1]) >= 3


def test_invalid_credentials_cannot_be_tried_without_limit(client: httpx.Client) -> None:
    forged = {"Authorization": "Bearer not-a-token"}
    statuses = [client.get("/guarded", headers=forged).status_code for _ in range(5)]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]
    refused = client.get("/guarded", headers=token_for(client, "dave"))
    assert refused.status_code == 429  # the address's budget is spent, valid token or not


def test_a_user_keyed_limit_counts_each_authenticated_user(client: httpx.Client) -> None:
    erin, frank = token_for(client, "erin"), token_for(client, "frank")
    assert [client.get("/per-user", headers=erin).status_code for _ in range(2)] == [200, 200]
    assert client.get("/per-user", headers=erin).status_code == 429
    assert client.get("/per-user", headers=frank).status_code == 200
