"""Rate limits compiled into route plans: placed before or after security by their key."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from veloxapi import Depends, HTTPException, Security, VeloxAPI
from veloxapi.batteries.ratelimit import RateLimit, RateLimitSettings, install_rate_limit
from veloxapi.security import HTTPAuthorizationCredentials, HTTPBearer
from veloxapi.testclient import TestClient

scheme = HTTPBearer(auto_error=False)


@dataclass
class Principal:
    id: int


class Verifier:
    """Counts token verifications; accepts ``Bearer user-<n>``."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(
        self, credentials: HTTPAuthorizationCredentials | None = Security(scheme)
    ) -> Principal:
        self.calls += 1
        token = credentials.credentials if credentials else ""
        if not token.startswith("user-"):
            raise HTTPException(401, "Not authenticated")
        return Principal(int(token.removeprefix("user-")))


def build(settings: RateLimitSettings | None = None) -> tuple[TestClient, Verifier]:
    app = VeloxAPI()
    verify = Verifier()
    install_rate_limit(app, settings or RateLimitSettings())

    @app.get("/by-ip", dependencies=[Security(verify), Depends(RateLimit("2/hour", key="ip"))])
    async def by_ip() -> str:
        return "ok"

    @app.get("/by-user", dependencies=[Depends(RateLimit("1/hour", key="subject"))])
    async def by_user(who: Principal = Security(verify)) -> int:
        return who.id

    @app.get("/me")
    async def me(who: Principal = Security(verify)) -> int:
        return who.id

    @app.get("/counted-once", dependencies=[Depends(RateLimit("5/hour"))])
    async def counted_once(_: None = Depends(RateLimit("5/hour", name="named"))) -> str:
        return "ok"

    return TestClient(app), verify


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_address_limit_refuses_before_the_token_is_verified() -> None:
    client, verify = build()
    statuses = [client.get("/by-ip", headers=bearer("forged")).status_code for _ in range(4)]
    assert statuses == [401, 401, 429, 429]
    assert verify.calls == 2  # the refused requests never reached the verification


def test_a_user_limit_counts_the_user_the_security_dependency_returned() -> None:
    client, _ = build()
    assert client.get("/by-user", headers=bearer("user-1")).json() == 1
    assert client.get("/by-user", headers=bearer("user-1")).status_code == 429
    assert client.get("/by-user", headers=bearer("user-2")).json() == 2


def test_a_marker_is_counted_once_even_as_a_parameter() -> None:
    client, _ = build()
    remaining = [client.get("/counted-once").headers["ratelimit-remaining"] for _ in range(2)]
    assert remaining == ["4", "3"]


def test_user_keyed_default_limits_are_compiled_after_security() -> None:
    client, _ = build(RateLimitSettings(default_limits=("1/hour",), key="subject"))
    assert client.get("/me", headers=bearer("user-7")).status_code == 200
    assert client.get("/me", headers=bearer("user-8")).status_code == 200
    assert client.get("/me", headers=bearer("user-7")).status_code == 429


def test_address_keyed_default_limits_apply_before_routing() -> None:
    client, verify = build(RateLimitSettings(default_limits=("2/hour",)))
    assert [client.get("/nowhere").status_code for _ in range(3)] == [404, 404, 429]
    assert client.get("/by-ip", headers=bearer("user-1")).status_code == 429
    assert verify.calls == 0


def test_address_keyed_default_limits_send_headers_counting_down() -> None:
    client, _ = build(RateLimitSettings(default_limits=("3/hour",)))
    before = time.time()
    answers = [client.get("/nowhere") for _ in range(4)]
    after = time.time()
    assert [r.status_code for r in answers] == [404, 404, 404, 429]
    assert [r.headers["ratelimit-limit"] for r in answers] == ["3"] * 4
    assert [r.headers["ratelimit-remaining"] for r in answers] == ["2", "1", "0", "0"]
    window_end = (math.floor(after / 3600) + 1) * 3600  # calendar-aligned: the next full hour
    resets = {int(r.headers["ratelimit-reset"]) for r in answers}
    assert resets <= set(range(math.ceil(window_end - after), math.ceil(window_end - before) + 1))
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 3600


def test_address_keyed_default_limits_send_slowapi_headers_when_asked() -> None:
    client, _ = build(RateLimitSettings(default_limits=("2/hour",), legacy_headers=True))
    first = client.get("/nowhere")
    assert first.headers["x-ratelimit-remaining"] == first.headers["ratelimit-remaining"] == "1"
    assert time.time() < int(first.headers["x-ratelimit-reset"]) <= time.time() + 3601
