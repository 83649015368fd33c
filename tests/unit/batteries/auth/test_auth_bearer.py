"""The RFC 6750 exchange: Authorization header, scopes, WWW-Authenticate challenges."""

from __future__ import annotations

import pytest
from auth_support import AUDIENCE, KeyPair, claims

from veloxapi.batteries.auth import (
    InsufficientScopeError,
    InvalidCredentialsError,
    Issuer,
    KeysUnavailableError,
    TokenValidator,
)
from veloxapi.batteries.auth.bearer import authenticate, bearer_token, challenge_headers

ISSUER = "https://login.example.com/"


@pytest.fixture
def validator(rsa_key: KeyPair) -> TokenValidator:
    return TokenValidator(Issuer(ISSUER, audience=AUDIENCE, public_keys=[rsa_key.public_pem]))


@pytest.mark.parametrize("header", [None, "", "Basic dXNlcjpwYXNz", "Token abc"])
def test_missing_credentials(header: str | None) -> None:
    with pytest.raises(InvalidCredentialsError) as info:
        bearer_token(header)
    assert info.value.detail == "Not authenticated"
    assert challenge_headers(info.value) == {"WWW-Authenticate": "Bearer"}


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer a b", "Bearer a,b", "Bearer é"])
def test_malformed_header(header: str) -> None:
    with pytest.raises(InvalidCredentialsError) as info:
        bearer_token(header)
    assert info.value.status_code == 401
    assert info.value.detail == "Malformed Authorization header"
    assert challenge_headers(info.value) == {"WWW-Authenticate": "Bearer"}


def test_scheme_is_case_insensitive() -> None:
    assert bearer_token("bearer abc.def.ghi") == "abc.def.ghi"


@pytest.mark.anyio
async def test_string_scopes_satisfy_requirement(
    validator: TokenValidator, rsa_key: KeyPair
) -> None:
    token = rsa_key.sign(claims(ISSUER, scope="orders:read orders:write"))
    result = await authenticate(validator, f"Bearer {token}", ["orders:read"])
    assert result.scopes == ("orders:read", "orders:write")


@pytest.mark.anyio
async def test_list_scopes_satisfy_requirement(rsa_key: KeyPair) -> None:
    validator = TokenValidator(
        Issuer(
            ISSUER,
            audience=AUDIENCE,
            public_keys=[rsa_key.public_pem],
            scopes_claim="permissions",
        )
    )
    token = rsa_key.sign(claims(ISSUER, permissions=["orders:read", "orders:write"]))
    result = await authenticate(validator, f"Bearer {token}", ["orders:write", "orders:read"])
    assert result.subject == "user-42"


@pytest.mark.anyio
async def test_missing_scope_is_insufficient_scope(
    validator: TokenValidator, rsa_key: KeyPair
) -> None:
    token = rsa_key.sign(claims(ISSUER, scope="orders:read"))
    with pytest.raises(InsufficientScopeError) as info:
        await authenticate(validator, f"Bearer {token}", ["orders:read", "orders:write"])
    assert info.value.status_code == 403
    assert challenge_headers(info.value, ["orders:read", "orders:write"]) == {
        "WWW-Authenticate": 'Bearer error="insufficient_scope", scope="orders:read orders:write"'
    }


@pytest.mark.anyio
async def test_rejected_token_challenge(validator: TokenValidator, rsa_key: KeyPair) -> None:
    token = rsa_key.sign(claims(ISSUER, aud="elsewhere"))
    with pytest.raises(InvalidCredentialsError) as info:
        await authenticate(validator, f"Bearer {token}", [])
    assert challenge_headers(info.value) == {
        "WWW-Authenticate": (
            'Bearer error="invalid_token", error_description="Token audience is not accepted"'
        )
    }


def test_unavailable_keys_have_no_bearer_challenge() -> None:
    assert challenge_headers(KeysUnavailableError()) == {"Retry-After": "5"}
