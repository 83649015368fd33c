"""The battery registry: auth and deprecation through augment_app, registering new entries."""

from __future__ import annotations

from datetime import date

import pytest

from veloxapi import Depends, VeloxAPI
from veloxapi.batteries import ConfigurationError, augment_app
from veloxapi.batteries.auth import AuthenticatedUser
from veloxapi.batteries.auth_battery import AuthBattery, auth_for
from veloxapi.batteries.deprecation import DeprecationSettings, deprecated_route
from veloxapi.batteries.kit import REGISTRY, Battery, register
from veloxapi.testclient import TestClient


def test_deprecated_routes_get_the_configured_headers() -> None:
    app = VeloxAPI()
    settings = DeprecationSettings(
        deprecated_at=date(2026, 1, 1), sunset=date(2026, 12, 31), link="https://example.com/v2"
    )
    augment_app(app, deprecation=settings)

    @app.get("/v1/items", deprecated=True)
    async def old() -> list[int]:
        return []

    @app.get("/v2/items")
    async def new() -> list[int]:
        return []

    @app.get(
        "/v1/own",
        deprecated=True,
        dependencies=[deprecated_route(deprecated_at=date(2025, 6, 1))],
    )
    async def own() -> list[int]:
        return []

    client = TestClient(app)
    old_headers = client.get("/v1/items").headers
    assert old_headers["deprecation"] == "@1767225600"
    assert old_headers["sunset"] == "Thu, 31 Dec 2026 00:00:00 GMT"
    assert old_headers["link"] == '<https://example.com/v2>; rel="deprecation"'
    assert "deprecation" not in client.get("/v2/items").headers
    assert client.get("/v1/own").headers["deprecation"] == "@1748736000"


def test_deprecation_settings_are_checked_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_DEPRECATION_DEPRECATED_AT", "2026-06-01")
    monkeypatch.setenv("VELOX_DEPRECATION_SUNSET", "2026-01-01")
    with pytest.raises(ConfigurationError) as caught:
        augment_app(VeloxAPI(), deprecation=True)
    assert "is before deprecated_at" in str(caught.value)


def test_auth_through_augment_app(monkeypatch: pytest.MonkeyPatch) -> None:
    from veloxapi.batteries.auth import TokenIssuer

    secret = "s" * 40
    monkeypatch.setenv("VELOX_AUTH_ISSUER", "https://issuer.test/")
    monkeypatch.setenv("VELOX_AUTH_AUDIENCE", "api")
    monkeypatch.setenv("VELOX_AUTH_ALGORITHMS", "HS256")
    monkeypatch.setenv("VELOX_AUTH_SECRET", secret)
    monkeypatch.setenv("VELOX_AUTH_API_KEYS", "key-0123456789abcdef")
    app = VeloxAPI()
    auth = augment_app(app, auth=True).installed["auth"]
    assert isinstance(auth, AuthBattery)
    assert auth_for(app) is auth
    assert auth.current_user is not None and auth.api_key is not None

    @app.get("/me")
    async def me(user: AuthenticatedUser = Depends(auth.current_user)) -> str:
        return user.id

    @app.get("/keyed", dependencies=[Depends(auth.api_key)])
    async def keyed() -> str:
        return "ok"

    issuer = TokenIssuer(
        issuer="https://issuer.test/", audience="api", secret=secret, algorithm="HS256"
    )
    token = issuer.issue("ada").access_token
    client = TestClient(app)
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).json() == "ada"
    assert client.get("/me").status_code == 401
    assert client.get("/keyed", headers={"X-API-Key": "key-0123456789abcdef"}).status_code == 200
    assert client.get("/keyed", headers={"X-API-Key": "nope"}).status_code == 403


def test_auth_problems_are_listed_with_the_others_before_any_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VELOX_AUTH_API_KEYS", "short")
    monkeypatch.setenv("VELOX_METRICS_PORT", "eighty")
    app = VeloxAPI()
    routes_before = list(app.routes)
    with pytest.raises(ConfigurationError) as caught:
        augment_app(app, auth=True, metrics=True, health=True)
    problems = caught.value.problems
    assert len(problems) == 2
    assert any("shorter than 16 characters" in problem for problem in problems)
    assert any("VELOX_METRICS_PORT='eighty'" in problem for problem in problems)
    assert app.routes == routes_before
    assert app.user_middleware == []


def test_auth_with_nothing_to_check_is_refused() -> None:
    with pytest.raises(ConfigurationError) as caught:
        augment_app(VeloxAPI(), auth=True)
    assert "VELOX_AUTH_ISSUER" in str(caught.value)


def test_register_adds_a_battery_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("veloxapi.batteries.kit.REGISTRY", dict(REGISTRY))
    from veloxapi.batteries import kit

    extra = Battery(
        "extra_health",
        "veloxapi.batteries.health:HealthSettings",
        "veloxapi.batteries.health:install_health",
    )
    register(extra, before="health")
    assert list(kit.REGISTRY)[-2:] == ["extra_health", "health"]
    with pytest.raises(ValueError, match="already registered"):
        register(extra)
