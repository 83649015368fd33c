"""TokenValidator against real RSA, EC and HMAC keys given in code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time

import jwt
import pytest
from auth_support import AUDIENCE, HMAC_SECRET, KeyPair, claims, hmac_token
from cryptography.hazmat.primitives.asymmetric import ed25519

from veloxapi.batteries.auth import (
    InvalidCredentialsError,
    Issuer,
    TokenValidator,
)
from veloxapi.batteries.auth.validator import MAX_TOKEN_LENGTH

pytestmark = pytest.mark.anyio

RSA_ISSUER = "https://rsa.example.com/"
EC_ISSUER = "https://ec.example.com/"
HMAC_ISSUER = "https://hmac.example.com/"


@pytest.fixture
def validator(rsa_key: KeyPair, ec_key: KeyPair) -> TokenValidator:
    return TokenValidator(
        [
            Issuer(RSA_ISSUER, audience=AUDIENCE, public_keys=[rsa_key.public_pem]),
            Issuer(EC_ISSUER, algorithms=["ES256"], audience=AUDIENCE, public_keys=[ec_key.jwk()]),
            Issuer(HMAC_ISSUER, algorithms=["HS256"], audience=AUDIENCE, secret=HMAC_SECRET),
        ]
    )


async def rejection(validator: TokenValidator, token: str) -> InvalidCredentialsError:
    with pytest.raises(InvalidCredentialsError) as info:
        await validator.validate(token)
    assert info.value.status_code == 401
    assert info.value.error == "invalid_token"
    return info.value


def unsigned(header: dict[str, object], payload: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}."


async def test_valid_rsa_token(validator: TokenValidator, rsa_key: KeyPair) -> None:
    token = await validator.validate(rsa_key.sign(claims(RSA_ISSUER, scope="read write")))
    assert token.issuer == RSA_ISSUER
    assert token.subject == "user-42"
    assert token.scopes == ("read", "write")
    assert token.header["kid"] == "rsa-1"


async def test_valid_ec_token(validator: TokenValidator, ec_key: KeyPair) -> None:
    token = await validator.validate(ec_key.sign(claims(EC_ISSUER)))
    assert token.issuer == EC_ISSUER


async def test_valid_hmac_token(validator: TokenValidator) -> None:
    token = await validator.validate(hmac_token(claims(HMAC_ISSUER)))
    assert token.claims["aud"] == AUDIENCE


async def test_expired(validator: TokenValidator, rsa_key: KeyPair) -> None:
    past = int(time.time()) - 3600
    error = await rejection(validator, rsa_key.sign(claims(RSA_ISSUER, iat=past - 60, exp=past)))
    assert error.detail == "Token has expired"


async def test_leeway_accepts_recently_expired(rsa_key: KeyPair) -> None:
    validator = TokenValidator(
        Issuer(RSA_ISSUER, audience=AUDIENCE, public_keys=[rsa_key.public_pem], leeway=120)
    )
    now = int(time.time())
    token = await validator.validate(rsa_key.sign(claims(RSA_ISSUER, iat=now - 600, exp=now - 10)))
    assert token.subject == "user-42"


async def test_not_yet_valid(validator: TokenValidator, rsa_key: KeyPair) -> None:
    future = int(time.time()) + 3600
    error = await rejection(validator, rsa_key.sign(claims(RSA_ISSUER, nbf=future)))
    assert error.detail == "Token is not yet valid"


async def test_wrong_audience(validator: TokenValidator, rsa_key: KeyPair) -> None:
    error = await rejection(validator, rsa_key.sign(claims(RSA_ISSUER, aud="billing-api")))
    assert error.detail == "Token audience is not accepted"


async def test_untrusted_issuer(validator: TokenValidator, rsa_key: KeyPair) -> None:
    error = await rejection(validator, rsa_key.sign(claims("https://evil.example.com/")))
    assert error.detail == "Token issuer is not trusted"


async def test_token_signed_by_another_issuers_key(
    validator: TokenValidator, rsa_key_2: KeyPair
) -> None:
    error = await rejection(validator, rsa_key_2.sign(claims(RSA_ISSUER), kid="rsa-1"))
    assert error.detail == "Token signature is invalid"


async def test_missing_iss_is_401_not_a_key_error(
    validator: TokenValidator, rsa_key: KeyPair
) -> None:
    error = await rejection(validator, rsa_key.sign(claims(RSA_ISSUER, iss=None)))
    assert error.detail == "Token has no issuer"


@pytest.mark.parametrize("claim", ["exp", "aud", "iat"])
async def test_missing_required_claim(
    validator: TokenValidator, rsa_key: KeyPair, claim: str
) -> None:
    error = await rejection(validator, rsa_key.sign(claims(RSA_ISSUER, **{claim: None})))
    assert error.detail == f"Token is missing the {claim!r} claim"


async def test_required_claims_are_configurable(rsa_key: KeyPair) -> None:
    validator = TokenValidator(
        Issuer(
            RSA_ISSUER,
            audience=AUDIENCE,
            public_keys=[rsa_key.public_pem],
            required_claims=["exp", "iss", "aud", "sub", "jti"],
        )
    )
    error = await rejection(validator, rsa_key.sign(claims(RSA_ISSUER)))
    assert error.detail == "Token is missing the 'jti' claim"


async def test_alg_none_is_refused(validator: TokenValidator) -> None:
    token = unsigned({"alg": "none", "typ": "JWT"}, claims(RSA_ISSUER))
    error = await rejection(validator, token)
    assert error.detail == "Token algorithm is not accepted"


async def test_hs256_signed_with_rsa_public_key_is_refused(
    validator: TokenValidator, rsa_key: KeyPair
) -> None:
    # The classic confusion attack: the public key (known to all) used as an HMAC secret.
    header = {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}
    signing_input = unsigned(header, claims(RSA_ISSUER))[:-1]
    signature = jwt.get_algorithm_by_name("HS256").sign(
        signing_input.encode(), rsa_key.public_pem.encode()
    )
    token = signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    error = await rejection(validator, token)
    assert error.detail == "Token algorithm is not accepted"


async def test_algorithm_of_another_family_with_allowed_name_is_refused(
    rsa_key: KeyPair, ec_key: KeyPair
) -> None:
    validator = TokenValidator(
        Issuer(
            RSA_ISSUER,
            algorithms=["RS256", "ES256"],
            audience=AUDIENCE,
            public_keys=[rsa_key.public_pem],
        )
    )
    error = await rejection(validator, ec_key.sign(claims(RSA_ISSUER)))
    assert error.detail == "Token was signed with an unknown key"


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b.c", "a.b", "....", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.sig", "x" * 20000],
)
async def test_malformed_tokens(validator: TokenValidator, token: str) -> None:
    error = await rejection(validator, token)
    assert error.detail == "Token is malformed"


async def test_non_object_payload(validator: TokenValidator) -> None:
    token = jwt.api_jws.encode(b"[1, 2]", HMAC_SECRET, algorithm="HS256")
    await rejection(validator, token)


async def test_malformed_scope_claim(validator: TokenValidator, rsa_key: KeyPair) -> None:
    error = await rejection(validator, rsa_key.sign(claims(RSA_ISSUER, scope=42)))
    assert "scope" in error.detail


async def test_list_scopes_from_configured_claim(rsa_key: KeyPair) -> None:
    validator = TokenValidator(
        Issuer(
            RSA_ISSUER,
            audience=AUDIENCE,
            public_keys=[rsa_key.public_pem],
            scopes_claim="permissions",
        )
    )
    token = await validator.validate(
        rsa_key.sign(claims(RSA_ISSUER, permissions=["read:orders", "write:orders"]))
    )
    assert token.scopes == ("read:orders", "write:orders")


async def test_several_audiences_accepted(rsa_key: KeyPair) -> None:
    validator = TokenValidator(
        Issuer(RSA_ISSUER, audience=["a-api", AUDIENCE], public_keys=[rsa_key.public_pem])
    )
    token = await validator.validate(rsa_key.sign(claims(RSA_ISSUER, aud=[AUDIENCE, "x"])))
    assert token.issuer == RSA_ISSUER


async def test_rejected_token_is_not_logged(
    validator: TokenValidator, rsa_key: KeyPair, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="veloxapi.auth")
    past = int(time.time()) - 3600
    token = rsa_key.sign(claims(RSA_ISSUER, exp=past))
    error = await rejection(validator, token)
    assert caplog.records, "the rejection is logged at debug level"
    assert token not in caplog.text
    assert token.split(".")[2] not in caplog.text
    assert token not in str(error)


async def test_eddsa_token() -> None:
    key = KeyPair(ed25519.Ed25519PrivateKey.generate(), "EdDSA", "ed-1")
    validator = TokenValidator(
        Issuer(RSA_ISSUER, algorithms=["EdDSA"], audience=AUDIENCE, public_keys=[key.jwk()])
    )
    assert (await validator.validate(key.sign(claims(RSA_ISSUER)))).header["kid"] == "ed-1"


# --- hostile input: whatever decoding raises is a 401 -----------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hmac_signed(header: bytes, payload: bytes, secret: str = HMAC_SECRET) -> str:
    """A token signed over raw JSON text, which may be JSON no encoder would write."""
    signing_input = f"{b64(header)}.{b64(payload)}"
    digest = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(digest)}"


HS256_HEADER = b'{"alg": "HS256", "typ": "JWT"}'
DEEP = b"[" * 5000 + b"]" * 5000


@pytest.mark.parametrize(
    "token",
    [
        ".".join([b64(HS256_HEADER), b64(b'{"iss": ' + DEEP + b"}"), b64(b"sig")]),
        ".".join([b64(b'{"alg": ' + DEEP + b"}"), b64(b"{}"), b64(b"sig")]),
    ],
    ids=["nested-payload", "nested-header"],
)
async def test_deeply_nested_json_is_malformed(validator: TokenValidator, token: str) -> None:
    assert (await rejection(validator, token)).detail == "Token is malformed"


@pytest.mark.parametrize("exp", [b"Infinity", b"-Infinity", b"NaN", b"1e400"])
async def test_absurd_expiry_is_rejected(validator: TokenValidator, exp: bytes) -> None:
    now = str(int(time.time())).encode()
    payload = (
        b'{"iss": "' + HMAC_ISSUER.encode() + b'", "aud": "' + AUDIENCE.encode() + b'", '
        b'"sub": "user-42", "iat": ' + now + b', "exp": ' + exp + b"}"
    )
    error = await rejection(validator, hmac_signed(HS256_HEADER, payload))
    assert error.detail in {"Token is malformed", "Token is invalid", "Token has expired"}


async def test_oversized_token_is_refused_before_decoding(validator: TokenValidator) -> None:
    token = hmac_token(claims(HMAC_ISSUER, padding="x" * MAX_TOKEN_LENGTH))
    assert len(token) > MAX_TOKEN_LENGTH
    assert (await rejection(validator, token)).detail == "Token is malformed"


# --- aud: checked when present, required only when listed in required_claims ------------


async def test_aud_not_required_is_still_checked_when_present() -> None:
    validator = TokenValidator(
        Issuer(
            HMAC_ISSUER,
            algorithms=["HS256"],
            audience=AUDIENCE,
            secret=HMAC_SECRET,
            required_claims=("exp", "iss"),
        )
    )
    token = await validator.validate(hmac_token(claims(HMAC_ISSUER, aud=None)))
    assert "aud" not in token.claims
    wrong = hmac_token(claims(HMAC_ISSUER, aud="billing-api"))
    assert (await rejection(validator, wrong)).detail == "Token audience is not accepted"
