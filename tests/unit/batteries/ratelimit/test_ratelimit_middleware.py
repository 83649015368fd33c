"""Global limits through the pure ASGI middleware on a Starlette app."""

from __future__ import annotations

import logging

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from veloxapi.batteries.errors import ErrorSettings, install_errors
from veloxapi.batteries.ratelimit import RateLimitSettings, install_rate_limit


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hi")


def make_client(errors: bool = False, **settings: object) -> TestClient:
    app = Starlette(routes=[Route("/hello", hello), Route("/health", hello)])
    install_rate_limit(app, RateLimitSettings(**settings))  # type: ignore[arg-type]
    if errors:
        install_errors(app, ErrorSettings())
    return TestClient(app)


def test_global_limit_answers_429_with_headers() -> None:
    client = make_client(default_limits=["3/hour"])
    statuses = [client.get("/hello") for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert [r.headers["ratelimit-remaining"] for r in statuses] == ["2", "1", "0", "0"]
    denied = statuses[-1]
    assert denied.headers["ratelimit-limit"] == "3"
    assert 1 <= int(denied.headers["retry-after"]) <= 3600
    assert 1 <= int(denied.headers["ratelimit-reset"]) <= 3600
    assert denied.json()["detail"].startswith("Rate limit exceeded")


def test_429_uses_the_errors_battery_shape() -> None:
    client = make_client(errors=True, default_limits=["1/hour"])
    client.get("/hello")
    body = client.get("/hello", headers={"X-Request-ID": "abc"}).json()
    assert body["code"] == "rate_limited"
    assert body["request_id"] == "abc"


def test_exempt_paths_are_not_counted() -> None:
    client = make_client(default_limits=["1/hour"], exempt_paths="/health")
    assert [client.get("/health").status_code for _ in range(3)] == [200, 200, 200]
    assert "ratelimit-limit" not in client.get("/health").headers
    assert client.get("/hello").status_code == 200


def test_headers_can_be_left_off_allowed_responses() -> None:
    client = make_client(default_limits=["1/hour"], headers=False)
    assert "ratelimit-limit" not in client.get("/hello").headers
    assert client.get("/hello").headers["ratelimit-limit"] == "1"


def test_clients_behind_a_trusted_proxy_are_counted_apart() -> None:
    # TestClient's peer is "testclient"; trust everything to act as the proxy
    app = Starlette(routes=[Route("/hello", hello)])
    settings = RateLimitSettings(default_limits=("1/hour",), trusted_proxies=("0.0.0.0/0",))
    install_rate_limit(app, settings)
    client = TestClient(app, client=("10.0.0.1", 1234))
    first = {"X-Forwarded-For": "198.51.100.1"}
    assert client.get("/hello", headers=first).status_code == 200
    assert client.get("/hello", headers=first).status_code == 429
    assert client.get("/hello", headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200


def test_forged_forwarded_for_from_untrusted_peer_is_ignored() -> None:
    app = Starlette(routes=[Route("/hello", hello)])
    settings = RateLimitSettings(default_limits=("1/hour",), trusted_proxies=("10.0.0.0/8",))
    install_rate_limit(app, settings)
    client = TestClient(app, client=("203.0.113.5", 1234))
    assert client.get("/hello", headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 200
    assert client.get("/hello", headers={"X-Forwarded-For": "2.2.2.2"}).status_code == 429


def test_api_key_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(default_limits=["1/hour"], key="api_key")
    assert client.get("/hello", headers={"X-API-Key": "alpha"}).status_code == 200
    assert client.get("/hello", headers={"X-API-Key": "alpha"}).status_code == 429
    assert client.get("/hello", headers={"X-API-Key": "beta"}).status_code == 200


DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_redis_outage_fails_open_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    client = make_client(default_limits=["1/hour"], backend="redis", redis_url=DOWN)
    with caplog.at_level(logging.WARNING, logger="veloxapi.ratelimit"):
        statuses = [client.get("/hello").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    warnings = [r for r in caplog.records if r.name == "veloxapi.ratelimit"]
    assert len(warnings) == 1
    assert "letting requests through" in warnings[0].getMessage()


def test_redis_outage_fails_closed_with_503() -> None:
    client = make_client(
        default_limits=["1/hour"], backend="redis", redis_url=DOWN, on_store_error="closed"
    )
    response = client.get("/hello")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("default_limits", "10/fortnight", "10/fortnight"),
        ("trusted_proxies", "10.0.0.0/33", "10.0.0.0/33"),
        ("on_store_error", "maybe", "open"),
    ],
)
def test_bad_settings_name_the_value(
    monkeypatch: pytest.MonkeyPatch, field: str, value: str, fragment: str
) -> None:
    from veloxapi.batteries.settings import ConfigurationError, load_settings

    monkeypatch.setenv(f"VELOX_RATELIMIT_{field.upper()}", value)
    with pytest.raises(ConfigurationError, match=f"VELOX_RATELIMIT_{field.upper()}") as info:
        load_settings(RateLimitSettings)
    assert fragment in str(info.value)


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_RATELIMIT_DEFAULT_LIMITS", "10/second, 1000/hour")
    monkeypatch.setenv("VELOX_RATELIMIT_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1")
    monkeypatch.setenv("VELOX_RATELIMIT_ALGORITHM", "sliding_window")
    settings = RateLimitSettings()
    assert settings.default_limits == ("10/second", "1000/hour")
    assert settings.trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    assert settings.algorithm == "sliding_window"
