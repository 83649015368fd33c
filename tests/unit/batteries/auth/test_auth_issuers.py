"""Issuer and validator configuration: unsafe setups fail at start-up, saying why."""

from __future__ import annotations

import pytest
from auth_support import AUDIENCE, HMAC_SECRET, KeyPair

from veloxapi.batteries.auth import Deployment, Issuer, JWKSOptions, TokenValidator
from veloxapi.batteries.settings import ConfigurationError

ISSUER = "https://login.example.com/"


def problem(**kwargs: object) -> str:
    with pytest.raises(ConfigurationError) as info:
        Issuer(ISSUER, **kwargs)  # type: ignore[arg-type]
    return str(info.value)


def test_alg_none_is_never_accepted() -> None:
    message = problem(algorithms=["none"], audience=AUDIENCE, jwks_url="https://x/jwks")
    assert "'none' never is" in message


def test_hmac_and_asymmetric_algorithms_do_not_mix(rsa_key: KeyPair) -> None:
    message = problem(
        algorithms=["RS256", "HS256"], audience=AUDIENCE, public_keys=[rsa_key.public_pem]
    )
    assert "mix HMAC and asymmetric" in message


def test_aud_required_without_audience() -> None:
    message = problem(jwks_url="https://login.example.com/jwks")
    assert "set audience=" in message


def test_aud_not_required_needs_no_audience() -> None:
    issuer = Issuer(
        ISSUER, jwks_url="https://login.example.com/jwks", required_claims=["exp", "iss"]
    )
    assert issuer.audiences is None


def test_exactly_one_key_source(rsa_key: KeyPair) -> None:
    assert "exactly one key source" in problem(audience=AUDIENCE)
    assert "exactly one key source" in problem(
        audience=AUDIENCE, jwks_url="https://x/jwks", public_keys=[rsa_key.public_pem]
    )


def test_secret_only_for_hmac() -> None:
    assert "only verifies HMAC" in problem(audience=AUDIENCE, secret=HMAC_SECRET)
    assert "need a secret" in problem(
        algorithms=["HS256"], audience=AUDIENCE, jwks_url="https://x/jwks"
    )


def test_short_hmac_secret() -> None:
    message = problem(algorithms=["HS256"], audience=AUDIENCE, secret="short")
    assert "5 bytes; HS256 needs at least 32" in message
    assert "short'" not in message


def test_plain_http_jwks_only_on_loopback() -> None:
    assert "https" in problem(audience=AUDIENCE, jwks_url="http://login.example.com/jwks")
    issuer = Issuer(ISSUER, audience=AUDIENCE, jwks_url="http://127.0.0.1:8000/jwks")
    assert issuer.uses_remote_keys


def test_public_key_must_fit_algorithms(ec_key: KeyPair) -> None:
    assert "fits none" in problem(audience=AUDIENCE, public_keys=[ec_key.public_pem])


def test_private_keys_and_garbage_are_not_public_keys(rsa_key: KeyPair) -> None:
    assert "PEM-encoded public key" in problem(audience=AUDIENCE, public_keys=["garbage"])
    private_jwk = {**rsa_key.jwk(), "d": "secret-exponent"}
    assert "private key" in problem(audience=AUDIENCE, public_keys=[private_jwk])


def test_secret_is_not_in_repr() -> None:
    issuer = Issuer(ISSUER, algorithms=["HS256"], audience=AUDIENCE, secret=HMAC_SECRET)
    assert HMAC_SECRET not in repr(issuer)


def test_validator_needs_distinct_issuers(rsa_key: KeyPair) -> None:
    issuer = Issuer(ISSUER, audience=AUDIENCE, public_keys=[rsa_key.public_pem])
    with pytest.raises(ConfigurationError, match="repeat"):
        TokenValidator([issuer, issuer])
    with pytest.raises(ConfigurationError, match="at least one"):
        TokenValidator([])


def test_relaxed_checks_refused_in_production() -> None:
    with pytest.raises(ConfigurationError, match="refused in environment 'production'"):
        Deployment(environment="production", relax_checks=True)
    assert Deployment(environment="development", relax_checks=True).relax_checks
    assert Deployment().is_production


def test_jwks_options_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="timeout=0 must be positive"):
        JWKSOptions(timeout=0)
    with pytest.raises(ConfigurationError, match="ttl=-1 must not be negative"):
        JWKSOptions(ttl=-1)


@pytest.mark.parametrize("algorithms", [["HS256", "RS256"], ["HS512", "ES256"], ["RS256", "HS256"]])
def test_a_secret_with_mixed_algorithms_names_the_mix(algorithms: list[str]) -> None:
    message = problem(algorithms=algorithms, audience=AUDIENCE, secret=HMAC_SECRET * 2)
    assert f"algorithms={algorithms!r} mix HMAC and asymmetric" in message
    assert HMAC_SECRET not in message
