"""``RateLimit`` as a route and router dependency on a VeloxAPI app (in-memory store)."""

from __future__ import annotations

import pytest
from starlette.requests import HTTPConnection

from veloxapi import APIRouter, Depends, Request, VeloxAPI
from veloxapi.batteries.ratelimit import RateLimit, RateLimitSettings, install_rate_limit
from veloxapi.batteries.settings import ConfigurationError
from veloxapi.testclient import TestClient


async def tenant_key(conn: HTTPConnection) -> str | None:
    return conn.headers.get("x-tenant")


def set_user(request: Request) -> None:
    user = request.headers.get("x-user")
    if user:
        request.state.user = {"sub": user}


def build(**settings: object) -> TestClient:
    app = VeloxAPI()
    install_rate_limit(app, RateLimitSettings(**settings))  # type: ignore[arg-type]
    one_per_route = RateLimit("2/hour")

    @app.get("/a", dependencies=[Depends(one_per_route)])
    async def a() -> str:
        return "a"

    @app.get("/b", dependencies=[Depends(one_per_route)])
    async def b() -> str:
        return "b"

    @app.get("/items/{item_id}", dependencies=[Depends(RateLimit("1/hour"))])
    async def item(item_id: int) -> int:
        return item_id

    @app.get("/tenant", dependencies=[Depends(RateLimit("1/hour", key=tenant_key))])
    async def tenant() -> str:
        return "t"

    @app.get("/me", dependencies=[Depends(set_user), Depends(RateLimit("1/hour", key="subject"))])
    async def me() -> str:
        return "me"

    @app.get("/two", dependencies=[Depends(RateLimit("1/hour", "3/day"))])
    async def two() -> str:
        return "two"

    router = APIRouter(dependencies=[Depends(RateLimit("2/hour", name="admin"))])

    @router.get("/admin/x")
    async def admin_x() -> str:
        return "x"

    @router.get("/admin/y")
    async def admin_y() -> str:
        return "y"

    app.include_router(router)
    return TestClient(app)


def test_each_route_counts_separately_and_sends_headers() -> None:
    client = build()
    first = client.get("/a")
    assert first.status_code == 200
    assert first.headers["ratelimit-limit"] == "2"
    assert first.headers["ratelimit-remaining"] == "1"
    assert client.get("/a").status_code == 200
    denied = client.get("/a")
    assert denied.status_code == 429
    assert int(denied.headers["retry-after"]) >= 1
    assert client.get("/b").status_code == 200


def test_path_parameters_share_the_route_template_counter() -> None:
    client = build()
    assert client.get("/items/1").status_code == 200
    assert client.get("/items/2").status_code == 429


def test_named_router_policy_is_one_budget() -> None:
    client = build()
    statuses = [client.get(p).status_code for p in ("/admin/x", "/admin/y", "/admin/x")]
    assert statuses == [200, 200, 429]


def test_custom_async_key_function() -> None:
    client = build()
    assert client.get("/tenant", headers={"X-Tenant": "acme"}).status_code == 200
    assert client.get("/tenant", headers={"X-Tenant": "acme"}).status_code == 429
    assert client.get("/tenant", headers={"X-Tenant": "globex"}).status_code == 200


def test_subject_key_reads_the_authenticated_principal() -> None:
    client = build()
    assert client.get("/me", headers={"X-User": "alice"}).status_code == 200
    assert client.get("/me", headers={"X-User": "alice"}).status_code == 429
    assert client.get("/me", headers={"X-User": "bob"}).status_code == 200


def test_several_rates_all_apply() -> None:
    client = build()
    responses = [client.get("/two") for _ in range(2)]
    assert [r.status_code for r in responses] == [200, 429]
    assert responses[1].headers["ratelimit-limit"] == "1"


def test_global_and_route_limits_together() -> None:
    client = build(default_limits=["100/hour"])
    response = client.get("/a")
    assert response.headers["ratelimit-limit"] == "2"  # the route's, more specific
    assert client.get("/b").status_code == 200


def test_store_outage_fails_closed_with_503() -> None:
    client = build(backend="redis", redis_url="redis://127.0.0.1:1/0", on_store_error="closed")
    assert client.get("/a").status_code == 503


def test_store_outage_fails_open() -> None:
    client = build(backend="redis", redis_url="redis://127.0.0.1:1/0")
    assert [client.get("/a").status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize(
    ("args", "kwargs", "fragment"),
    [
        (("10/fortnight",), {}, "'10/fortnight'"),
        ((), {}, "at least one rate"),
        (("1/second",), {"key": "cookie"}, "key='cookie'"),
        (("1/second",), {"algorithm": "leaky"}, "algorithm='leaky'"),
    ],
)
def test_bad_policies_fail_at_registration(
    args: tuple[str, ...], kwargs: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        RateLimit(*args, **kwargs)  # type: ignore[arg-type]
    assert fragment in str(info.value)
