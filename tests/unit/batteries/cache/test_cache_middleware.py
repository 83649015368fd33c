"""The cache middleware on a Starlette app whose endpoints call the ``Cache`` dependency."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from veloxapi.batteries.cache import Cache, CacheSettings, cache_for, install_cache
from veloxapi.batteries.settings import ConfigurationError

calls = itertools.count(1)

PUBLIC = Cache(ttl=60, vary=["Accept-Language"], tags=["items", "item:{item_id}"])
SHARED = Cache(ttl=60, shared=True)


async def item(request: Request) -> JSONResponse:
    await PUBLIC(request)
    return JSONResponse({"item": request.path_params["item_id"], "call": next(calls)})


async def shared(request: Request) -> JSONResponse:
    await SHARED(request)
    return JSONResponse({"call": next(calls)})


async def uncached(request: Request) -> JSONResponse:
    return JSONResponse({"call": next(calls)})


async def with_cookie(request: Request) -> Response:
    await PUBLIC(request)
    response = JSONResponse({"call": next(calls)})
    response.set_cookie("session", "abc")
    return response


async def big(request: Request) -> Response:
    await SHARED(request)
    return Response(b"x" * 2048 + str(next(calls)).encode())


async def failing(request: Request) -> JSONResponse:
    await SHARED(request)
    return JSONResponse({"call": next(calls)}, status_code=500)


ROUTES = [
    Route("/items/{item_id}", item),
    Route("/shared", shared),
    Route("/uncached", uncached),
    Route("/cookie", with_cookie),
    Route("/big", big),
    Route("/failing", failing),
]


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = Starlette(routes=ROUTES)
    install_cache(app, CacheSettings(max_body_bytes=1024))
    with TestClient(app) as test_client:
        yield test_client


def test_second_request_is_a_hit(client: TestClient) -> None:
    first = client.get("/items/1")
    second = client.get("/items/1")
    assert first.headers["x-cache"] == "MISS"
    assert second.headers["x-cache"] == "HIT"
    assert second.json() == first.json()
    assert second.headers["etag"] == first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=60"
    assert int(second.headers["age"]) >= 0


def test_query_order_does_not_matter_but_values_do(client: TestClient) -> None:
    first = client.get("/items/1?a=1&b=2").json()
    assert client.get("/items/1?b=2&a=1").json() == first
    assert client.get("/items/1?a=1&b=3").json() != first


def test_vary_header_selects_the_variant(client: TestClient) -> None:
    english = client.get("/items/2", headers={"Accept-Language": "en"}).json()
    french = client.get("/items/2", headers={"Accept-Language": "fr"}).json()
    assert english != french
    assert client.get("/items/2", headers={"Accept-Language": "en"}).json() == english
    vary = client.get("/items/2").headers["vary"].lower()
    assert "accept-language" in vary and "authorization" in vary


def test_if_none_match_gives_304_on_miss_and_hit(client: TestClient) -> None:
    etag = client.get("/items/3").headers["etag"]
    hit = client.get("/items/3", headers={"If-None-Match": etag})
    assert hit.status_code == 304
    assert hit.content == b""
    assert hit.headers["etag"] == etag
    other = client.get("/items/3", headers={"If-None-Match": '"other", W/' + etag})
    assert other.status_code == 304
    assert client.get("/items/3", headers={"If-None-Match": '"nope"'}).status_code == 200


def test_304_on_a_miss_when_the_fresh_body_matches() -> None:
    async def fixed(request: Request) -> JSONResponse:
        await SHARED(request)
        return JSONResponse({"fixed": True})

    app = Starlette(routes=[Route("/fixed", fixed)])
    install_cache(app)
    etag = '"' + hashlib.sha256(b'{"fixed":true}').hexdigest()[:32] + '"'
    response = TestClient(app).get("/fixed", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["etag"] == etag


def test_authenticated_requests_are_not_shared(client: TestClient) -> None:
    alice = client.get("/items/4", headers={"Authorization": "Bearer alice"})
    bob = client.get("/items/4", headers={"Authorization": "Bearer bob"})
    anonymous = client.get("/items/4")
    assert len({alice.json()["call"], bob.json()["call"], anonymous.json()["call"]}) == 3
    again = client.get("/items/4", headers={"Authorization": "Bearer alice"})
    assert again.json() == alice.json()
    assert again.headers["x-cache"] == "HIT"
    assert alice.headers["cache-control"] == "private, max-age=60"


def test_shared_routes_serve_everyone(client: TestClient) -> None:
    alice = client.get("/shared", headers={"Authorization": "Bearer alice"}).json()
    assert client.get("/shared", headers={"Cookie": "session=bob"}).json() == alice
    assert client.get("/shared").json() == alice


def test_bypass_mode_never_caches_authenticated_requests() -> None:
    app = Starlette(routes=ROUTES)
    install_cache(app, CacheSettings(authenticated="bypass"))
    client = TestClient(app)
    auth = {"Authorization": "Bearer alice"}
    assert (
        client.get("/items/5", headers=auth).json() != client.get("/items/5", headers=auth).json()
    )
    assert client.get("/items/5").json() == client.get("/items/5").json()


def test_routes_without_cache_are_untouched(client: TestClient) -> None:
    first = client.get("/uncached")
    assert first.json() != client.get("/uncached").json()
    assert "etag" not in first.headers and "x-cache" not in first.headers


def test_responses_with_cookies_errors_or_too_big_are_not_stored(client: TestClient) -> None:
    assert client.get("/cookie").json() != client.get("/cookie").json()
    assert client.get("/failing").json() != client.get("/failing").json()
    first = client.get("/big")
    assert len(first.content) > 2048
    assert first.content != client.get("/big").content


def test_post_is_never_cached(client: TestClient) -> None:
    client.get("/items/6")
    assert client.post("/items/6").status_code == 405


@pytest.mark.anyio
async def test_invalidation_by_path_prefix_and_tag(client: TestClient) -> None:
    cache = cache_for(client.app)
    first = {p: client.get(p).json() for p in ("/items/7", "/items/7?x=1", "/items/8", "/shared")}
    assert await cache.invalidate(path="/items/7") >= 2
    assert client.get("/items/7").json() != first["/items/7"]
    assert client.get("/items/7?x=1").json() != first["/items/7?x=1"]
    assert client.get("/items/8").json() == first["/items/8"]
    assert await cache.invalidate(tag="item:8") == 1
    assert client.get("/items/8").json() != first["/items/8"]
    assert await cache.invalidate(prefix="/sh") >= 1
    assert client.get("/shared").json() != first["/shared"]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"ttl": 0}, "ttl=0"),
        ({"ttl": -5}, "ttl=-5"),
        ({"ttl": 10, "vary": "Accept"}, "vary='Accept'"),
        ({"ttl": 10, "vary": ["bad header"]}, "bad header"),
    ],
)
def test_bad_policies_fail_at_registration(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigurationError, match="Cache") as info:
        Cache(**kwargs)  # type: ignore[arg-type]
    assert fragment in str(info.value)


def test_every_credential_header_value_goes_into_the_key(client: TestClient) -> None:
    alice = client.get("/items/9", headers=[("Authorization", "Bearer alice")]).json()
    doubled = [("Authorization", "Bearer alice"), ("Authorization", "Bearer x")]
    assert client.get("/items/9", headers=doubled).json() != alice


def test_errors_and_cookie_responses_get_no_public_cache_control(client: TestClient) -> None:
    failed = client.get("/failing")
    assert "cache-control" not in failed.headers
    assert "etag" not in failed.headers
    assert "cache-control" not in client.get("/cookie").headers
