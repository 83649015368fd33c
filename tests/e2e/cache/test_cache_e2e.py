"""Response caching over real HTTP: uvicorn with 2 worker processes sharing one Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

ServerFactory = Callable[[str, dict[str, str], int], str]


@pytest.fixture(scope="module")
def client(redis_prefix: str, uvicorn_server: ServerFactory) -> Iterator[httpx.Client]:
    env = {"VELOX_CACHE_BACKEND": "redis", "VELOX_CACHE_KEY_PREFIX": redis_prefix}
    base_url = uvicorn_server("cache_app", env, 2)
    with httpx.Client(base_url=base_url, timeout=10) as http:
        yield http


def fresh_connection(client: httpx.Client, path: str, **headers: str) -> httpx.Response:
    """A request on a new connection, so the two workers take turns answering."""
    with httpx.Client(base_url=client.base_url, timeout=10) as one_shot:
        return one_shot.get(path, headers=headers)


def test_hits_are_shared_by_every_worker(client: httpx.Client) -> None:
    first = client.get("/items/1")
    assert first.headers["x-cache"] == "MISS"
    later = [fresh_connection(client, "/items/1") for _ in range(10)]
    assert all(r.headers["x-cache"] == "HIT" for r in later)
    assert {r.json()["generation"] for r in later} == {first.json()["generation"]}


def test_if_none_match_gives_304(client: httpx.Client) -> None:
    etag = client.get("/items/2").headers["etag"]
    response = client.get("/items/2", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "public, max-age=60"


def test_invalidation_by_tag(client: httpx.Client) -> None:
    before = client.get("/items/3").json()
    other = client.get("/items/4").json()
    assert client.post("/items/3/invalidate").json() == {"deleted": 1}
    after = client.get("/items/3")
    assert after.headers["x-cache"] == "MISS"
    assert after.json()["generation"] != before["generation"]
    assert client.get("/items/4").json() == other


def test_users_never_see_each_others_responses(client: httpx.Client) -> None:
    alice = client.get("/me", headers={"Authorization": "Bearer alice"})
    bob = client.get("/me", headers={"Authorization": "Bearer bob"})
    assert alice.json()["user"] == "alice"
    assert bob.json()["user"] == "bob"
    assert alice.headers["cache-control"] == "private, max-age=60"
    again = fresh_connection(client, "/me", Authorization="Bearer alice")
    assert again.headers["x-cache"] == "HIT"
    assert again.json() == alice.json()
    assert client.get("/me").json()["user"] == ""


def test_shared_route_serves_one_response_to_all(client: httpx.Client) -> None:
    alice = client.get("/catalog", headers={"Authorization": "Bearer alice"}).json()
    assert client.get("/catalog", headers={"Authorization": "Bearer bob"}).json() == alice
    assert client.get("/catalog").json() == alice


def test_the_routes_vary_header_keys_entries_in_redis(client: httpx.Client) -> None:
    english = client.get("/greeting", headers={"Accept-Language": "en"}).json()
    german = fresh_connection(client, "/greeting", **{"Accept-Language": "de"})
    assert german.json()["text"] == "Hallo"
    again = [fresh_connection(client, "/greeting", **{"Accept-Language": "en"}) for _ in range(4)]
    assert {r.json()["generation"] for r in again} == {english["generation"]}


def test_a_forged_host_cannot_poison_the_entry(client: httpx.Client) -> None:
    forged = fresh_connection(client, "/link", Host="evil.example")
    assert forged.json()["self"].startswith("http://evil.example")
    honest = [fresh_connection(client, "/link") for _ in range(4)]
    assert {r.json()["self"] for r in honest} == {f"{client.base_url}/link"}
