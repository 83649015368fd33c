"""The built-in identity provider: signed tokens, their JWKS, password hashing."""

from __future__ import annotations

import pytest
from auth_support import AUDIENCE, HMAC_SECRET, JWKSServer, KeyPair

from veloxapi.batteries.auth import (
    Issuer,
    JWKSOptions,
    PasswordHasher,
    TokenIssuer,
    TokenValidator,
)
from veloxapi.batteries.settings import ConfigurationError

pytestmark = pytest.mark.anyio

ME = "https://orders.example.com/"


async def test_hmac_tokens_round_trip() -> None:
    issuer = TokenIssuer(issuer=ME, audience=AUDIENCE, secret=HMAC_SECRET)
    issued = issuer.issue("alice", scopes=["orders:read"], claims={"tenant": "acme"})
    assert issued.expires_in == 900
    token = await TokenValidator(issuer.verifier()).validate(issued.access_token)
    assert token.subject == "alice"
    assert token.scopes == ("orders:read",)
    assert token.claims["tenant"] == "acme"


async def test_rsa_tokens_verified_through_published_jwks(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    issuer = TokenIssuer(
        issuer=ME,
        audience=AUDIENCE,
        private_key=rsa_key.private_pem,
        algorithm="RS256",
        key_id="orders-1",
    )
    jwks_server.keys = []
    jwks_server.extra_jwks = issuer.jwks()["keys"]
    validator = TokenValidator(
        Issuer(ME, audience=AUDIENCE, jwks_url=jwks_server.jwks_url),
        jwks=JWKSOptions(timeout=2.0),
    )
    token = await validator.validate(issuer.issue("bob").access_token)
    assert token.header["kid"] == "orders-1"
    assert await TokenValidator(issuer.verifier()).validate(issuer.issue("c").access_token)


async def test_ec_tokens(ec_key: KeyPair) -> None:
    issuer = TokenIssuer(
        issuer=ME, audience=AUDIENCE, private_key=ec_key.private_pem, algorithm="ES256"
    )
    token = await TokenValidator(issuer.verifier()).validate(issuer.issue("eve").access_token)
    assert token.subject == "eve"


def test_hmac_issuer_publishes_no_keys() -> None:
    assert TokenIssuer(issuer=ME, audience=AUDIENCE, secret=HMAC_SECRET).jwks() == {"keys": []}


def test_reserved_claims_cannot_be_overridden() -> None:
    issuer = TokenIssuer(issuer=ME, audience=AUDIENCE, secret=HMAC_SECRET)
    with pytest.raises(ValueError, match="exp"):
        issuer.issue("alice", claims={"exp": 0})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"secret": "short"}, "needs at least 32"),
        ({"secret": HMAC_SECRET, "algorithm": "none"}, "not supported"),
        ({"secret": HMAC_SECRET, "algorithm": "RS256"}, "private_key only"),
        ({"private_key": "not a key", "algorithm": "RS256"}, "not an unencrypted PEM"),
        ({"secret": HMAC_SECRET, "lifetime": 0}, "lifetime"),
    ],
)
def test_configuration_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as info:
        TokenIssuer(issuer=ME, audience=AUDIENCE, **kwargs)  # type: ignore[arg-type]
    assert HMAC_SECRET not in str(info.value)


def test_passwords() -> None:
    hasher = PasswordHasher()
    stored = hasher.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert hasher.verify("correct horse battery staple", stored)
    assert not hasher.verify("Tr0ub4dor&3", stored)
    assert not hasher.verify("anything", None)
    assert not hasher.verify("anything", "not-a-hash")
