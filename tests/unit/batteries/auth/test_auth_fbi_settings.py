"""FBI's environment variables: claims flattening, issuers, and every problem at once."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from fbi_support import DEV_ENV, HS_KEY, forget_fbi, load_fbi

from veloxapi.batteries.auth import ValidatedToken
from veloxapi.batteries.settings import ConfigurationError

METADATA_KEY = "http://source.uri/metadata"
PROVIDER = "https://tenant.auth.example.com/"


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    forget_fbi()


def test_access_token_is_flattened_as_fbi_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    jwt = load_fbi(monkeypatch, **DEV_ENV)["jwt"]
    access_token = {
        "sub": "user:12345",
        "iss": "https://test.issuer.com/",
        METADATA_KEY: {
            "clinician_id": "2543e23e",
            "locations": [{"id": "L1", "name": "FlorenceWard"}, {"id": "L2", "name": "SouthWard"}],
            "job_title": "Chief Carpal Tunnel Sufferer",
            "can_edit_ews": True,
        },
    }
    claims = jwt.flatten_claims(access_token, METADATA_KEY)
    assert claims["clinician_id"] == "2543e23e"
    assert claims["location_ids"] == ["L1", "L2"]
    assert claims["can_edit_ews"] is True
    assert claims["job_title"] == "Chief Carpal Tunnel Sufferer"
    assert claims["raw"] == access_token
    assert (claims["sub"], claims["iss"]) == ("user:12345", "https://test.issuer.com/")
    assert jwt.flatten_claims({"iss": "i", "other": 1}, METADATA_KEY) == {"iss": "i"}


@pytest.mark.parametrize("keys", ['["clinician_id", "device_id", "patient_id", "system_id"]'])
@pytest.mark.parametrize("claim", ["clinician_id", "device_id", "patient_id", "system_id"])
def test_current_jwt_user(monkeypatch: pytest.MonkeyPatch, keys: str, claim: str) -> None:
    jwt = load_fbi(monkeypatch, **DEV_ENV, VALID_USER_ID_KEYS=keys)["jwt"]
    assert jwt.current_jwt_user(jwt.TokenData(claims={claim: "12345"})) == "12345"
    assert jwt.current_jwt_user(jwt.TokenData(claims={"something_id": "12345"})) == "unknown"


def test_provider_scopes_come_from_permissions(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        **DEV_ENV,
        "AUTH_PROVIDER_DOMAIN": PROVIDER,
        "AUTH_PROVIDER_AUDIENCE": "https://api.example.com/",
        "AUTH_PROVIDER_JWKS_URL": "https://tenant.auth.example.com/.well-known/jwks.json",
        "AUTH_PROVIDER_METADATA": METADATA_KEY,
    }
    fbi = load_fbi(monkeypatch, **env)
    settings = fbi["jwt"].jwt_settings
    issuers = {issuer.issuer: issuer for issuer in settings.issuers()}
    assert issuers[PROVIDER].scopes_claim == "permissions"
    assert issuers[PROVIDER].algorithms == ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]
    assert issuers["http://localhost/"].algorithms == ["HS256", "HS512", "HS384"]
    token = ValidatedToken(
        claims={"iss": PROVIDER, METADATA_KEY: {"system_id": "robot"}, "permissions": ["a"]},
        scopes=("a",),
        issuer=PROVIDER,
    )
    data = fbi["jwt"].to_token_data(token)
    assert (data.scopes, data.claims["system_id"]) == (["a"], "robot")


def test_every_problem_is_listed_without_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "ENVIRONMENT": "DEVELOPMENT",
        "HS_KEY": "secret",  # FBI's test key: far too short for HS256
        "AUTH_PROVIDER_DOMAIN": PROVIDER,
        "AUTH_PROVIDER_CUSTOM_DOMAIN": "https://custom.example.com/",
        "JWKS_CACHE_EXPIRY_SECONDS": "-5",
    }
    with pytest.raises(ConfigurationError) as info:
        load_fbi(monkeypatch, **env)
    message = str(info.value)
    for expected in (
        "the secret is 6 bytes; HS512 needs at least 64",
        "HS_ISSUER or PROXY_URL must be set",
        "AUTH_PROVIDER_HS_KEY must be set",
        "AUTH_PROVIDER_JWKS_URL must be set",
        "AUTH_PROVIDER_AUDIENCE must be set",
        "ttl=-5.0 must not be negative",
    ):
        assert expected in message
    assert "'secret'" not in message and HS_KEY not in message


def test_no_issuer_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="no issuer is configured"):
        load_fbi(monkeypatch, ENVIRONMENT="DEVELOPMENT")


def test_api_key_must_be_set_and_long(monkeypatch: pytest.MonkeyPatch) -> None:
    load_fbi(monkeypatch, **DEV_ENV)
    with pytest.raises(ConfigurationError, match="ACCEPTED_API_KEY is required"):
        importlib.import_module("veloxapi.batteries.auth.fbi.api_key")
    with pytest.raises(ConfigurationError, match="ACCEPTED_API_KEY: API keys at positions"):
        load_fbi(monkeypatch, **DEV_ENV, ACCEPTED_API_KEY="TopSecret")
