"""AuthSettings: the battery configured from VELOX_AUTH_* environment variables."""

from __future__ import annotations

import json
import secrets

import pytest
from auth_support import AUDIENCE, HMAC_SECRET, JWKSServer, KeyPair, claims, hmac_token

from veloxapi.batteries.auth import AuthSettings, hash_api_key
from veloxapi.batteries.settings import ConfigurationError

ISSUER = "https://login.example.com/"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("VELOX_AUTH_"):
            monkeypatch.delenv(name)


@pytest.mark.anyio
async def test_single_hmac_issuer_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_AUTH_ISSUER", ISSUER)
    monkeypatch.setenv("VELOX_AUTH_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("VELOX_AUTH_ALGORITHMS", "HS256")
    monkeypatch.setenv("VELOX_AUTH_SECRET", HMAC_SECRET)
    settings = AuthSettings.from_env()
    assert HMAC_SECRET not in repr(settings)
    token = await settings.token_validator().validate(hmac_token(claims(ISSUER)))
    assert token.issuer == ISSUER


@pytest.mark.anyio
async def test_several_issuers_from_json(
    monkeypatch: pytest.MonkeyPatch, jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    issuers = [
        {"issuer": ISSUER, "audience": [AUDIENCE], "algorithms": ["HS256"], "secret": HMAC_SECRET},
        {
            "issuer": "https://rsa.example.com/",
            "audience": [AUDIENCE],
            "jwks_url": jwks_server.jwks_url,
        },
    ]
    monkeypatch.setenv("VELOX_AUTH_ISSUERS", json.dumps(issuers))
    monkeypatch.setenv("VELOX_AUTH_SCOPES_CLAIM", "permissions")
    validator = AuthSettings.from_env().token_validator()
    assert validator.issuers == (ISSUER, "https://rsa.example.com/")
    token = await validator.validate(rsa_key.sign(claims("https://rsa.example.com/")))
    assert token.subject == "user-42"


def test_relax_checks_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_AUTH_RELAX_CHECKS", "true")
    with pytest.raises(ConfigurationError, match="refused"):
        AuthSettings.from_env()
    monkeypatch.setenv("VELOX_AUTH_ENVIRONMENT", "development")
    assert AuthSettings.from_env().deployment().relax_checks


def test_unsafe_issuer_from_env_fails_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_AUTH_ISSUER", ISSUER)
    monkeypatch.setenv("VELOX_AUTH_JWKS_URL", "https://login.example.com/jwks")
    with pytest.raises(ConfigurationError, match="no audience"):
        AuthSettings.from_env().token_validator()


def test_misspelt_variable_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_AUTH_AUDEINCE", AUDIENCE)
    with pytest.raises(ConfigurationError, match="VELOX_AUTH_AUDEINCE"):
        AuthSettings.from_env()


def test_api_keys_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    plain, hashed = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    monkeypatch.setenv("VELOX_AUTH_API_KEYS", plain)
    monkeypatch.setenv("VELOX_AUTH_API_KEY_HASHES", hash_api_key(hashed))
    settings = AuthSettings.from_env()
    assert plain not in repr(settings)
    verifier = settings.api_key_verifier()
    assert verifier.verify(plain)
    assert verifier.verify(hashed)
    assert not verifier.verify("x" * 32)


def test_mixed_algorithms_from_env_name_the_mix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_AUTH_ISSUER", ISSUER)
    monkeypatch.setenv("VELOX_AUTH_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("VELOX_AUTH_ALGORITHMS", "HS256,RS256")
    monkeypatch.setenv("VELOX_AUTH_SECRET", HMAC_SECRET)
    with pytest.raises(ConfigurationError) as info:
        AuthSettings.from_env()
    assert "['HS256', 'RS256'] mix HMAC and asymmetric algorithms" in str(info.value)
    assert HMAC_SECRET not in str(info.value)


@pytest.mark.parametrize(
    "issuers",
    [
        {"issuer": ISSUER, "secret": HMAC_SECRET},  # an object, not a list
        [{"issuer": ISSUER, "secret": HMAC_SECRET, "leeway": "soon"}],
        [{"issuer": ISSUER, "extra": {"password": HMAC_SECRET}}],
        [[{"client_secret": HMAC_SECRET}]],
    ],
)
def test_secrets_inside_issuers_never_reach_the_error(
    monkeypatch: pytest.MonkeyPatch, issuers: object
) -> None:
    monkeypatch.setenv("VELOX_AUTH_ISSUERS", json.dumps(issuers))
    with pytest.raises(ConfigurationError) as info:
        AuthSettings.from_env()
    assert "VELOX_AUTH_ISSUERS" in str(info.value)
    assert HMAC_SECRET not in str(info.value)


def test_every_problem_is_listed_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_AUTH_ISSUER", ISSUER)
    monkeypatch.setenv("VELOX_AUTH_JWKS_URL", "http://login.example.com/jwks")  # not https
    monkeypatch.setenv("VELOX_AUTH_JWKS_FAILURE_BACKOFF", "-1")
    monkeypatch.setenv("VELOX_AUTH_API_KEYS", "short")
    issuers = [{"issuer": "https://b.example.com/", "audience": [AUDIENCE], "secret": "tiny"}]
    monkeypatch.setenv("VELOX_AUTH_ISSUERS", json.dumps(issuers))
    with pytest.raises(ConfigurationError) as info:
        AuthSettings.from_env()
    message = str(info.value)
    assert "no audience" in message  # the flat issuer
    assert "must be an https:// URL" in message
    assert "a secret only verifies HMAC algorithms" in message  # the second issuer
    assert "failure_backoff=-1.0 must not be negative" in message
    assert "shorter than 16 characters" in message
    assert len(info.value.problems) == 5
    assert "tiny" not in message and "short" not in message.replace("shorter", "")
