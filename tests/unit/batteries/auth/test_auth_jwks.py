"""Keys from a real JWKS server on loopback: caching, rotation, outages, discovery."""

from __future__ import annotations

import anyio
import pytest
from auth_support import AUDIENCE, JWKSServer, KeyPair, claims, free_port_url

from veloxapi.batteries.auth import (
    InvalidCredentialsError,
    Issuer,
    JWKSOptions,
    KeysUnavailableError,
    TokenValidator,
)
from veloxapi.batteries.settings import ConfigurationError

pytestmark = pytest.mark.anyio

ISSUER = "https://login.example.com/"
FAST = JWKSOptions(timeout=2.0, ttl=300, min_refresh_interval=0, failure_backoff=0)


def jwks_validator(url: str, options: JWKSOptions = FAST, **issuer: object) -> TokenValidator:
    return TokenValidator(
        Issuer(ISSUER, audience=AUDIENCE, jwks_url=url, **issuer),  # type: ignore[arg-type]
        jwks=options,
    )


async def test_valid_token_with_jwks(jwks_server: JWKSServer, rsa_key: KeyPair) -> None:
    validator = jwks_validator(jwks_server.jwks_url)
    token = await validator.validate(rsa_key.sign(claims(ISSUER)))
    assert token.subject == "user-42"


async def test_keys_are_cached(jwks_server: JWKSServer, rsa_key: KeyPair) -> None:
    validator = jwks_validator(jwks_server.jwks_url)
    for _ in range(5):
        await validator.validate(rsa_key.sign(claims(ISSUER)))
    assert jwks_server.requests == 1


async def test_concurrent_first_requests_share_one_fetch(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    validator = jwks_validator(jwks_server.jwks_url)
    jwks_server.delay = 0.2
    results: list[str | None] = []

    async def one() -> None:
        results.append((await validator.validate(rsa_key.sign(claims(ISSUER)))).subject)

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(one)
    assert results == ["user-42"] * 10
    assert jwks_server.requests == 1


async def test_expired_cache_is_refetched(jwks_server: JWKSServer, rsa_key: KeyPair) -> None:
    validator = jwks_validator(
        jwks_server.jwks_url, JWKSOptions(timeout=2.0, ttl=0, min_refresh_interval=0)
    )
    await validator.validate(rsa_key.sign(claims(ISSUER)))
    await validator.validate(rsa_key.sign(claims(ISSUER)))
    assert jwks_server.requests == 2


async def test_unknown_kid_then_key_rotation(
    jwks_server: JWKSServer, rsa_key: KeyPair, rsa_key_2: KeyPair
) -> None:
    validator = jwks_validator(jwks_server.jwks_url)
    await validator.validate(rsa_key.sign(claims(ISSUER)))

    new_token = rsa_key_2.sign(claims(ISSUER))
    with pytest.raises(InvalidCredentialsError) as info:
        await validator.validate(new_token)
    assert info.value.detail == "Token was signed with an unknown key"

    jwks_server.keys = [rsa_key, rsa_key_2]  # the provider rotates in a new key
    token = await validator.validate(new_token)
    assert token.header["kid"] == "rsa-2"

    jwks_server.keys = [rsa_key_2]  # ... and retires the old one
    assert (await validator.validate(new_token)).subject == "user-42"


async def test_unknown_kid_refetch_is_rate_limited(
    jwks_server: JWKSServer, rsa_key: KeyPair, rsa_key_2: KeyPair
) -> None:
    validator = jwks_validator(
        jwks_server.jwks_url, JWKSOptions(timeout=2.0, min_refresh_interval=3600)
    )
    await validator.validate(rsa_key.sign(claims(ISSUER)))
    for kid in ("forged-1", "forged-2", "forged-3"):
        with pytest.raises(InvalidCredentialsError):
            await validator.validate(rsa_key_2.sign(claims(ISSUER), kid=kid))
    assert jwks_server.requests == 1


async def test_jwks_server_down_gives_503(rsa_key: KeyPair) -> None:
    validator = jwks_validator(free_port_url())
    with pytest.raises(KeysUnavailableError) as info:
        await validator.validate(rsa_key.sign(claims(ISSUER)))
    assert info.value.status_code == 503
    assert info.value.headers["Retry-After"] == "1"  # the failure backoff, at least 1 s


async def test_slow_jwks_server_gives_503(jwks_server: JWKSServer, rsa_key: KeyPair) -> None:
    jwks_server.delay = 5  # well beyond the 2 s timeout; pytest's timeout catches a hang
    validator = jwks_validator(jwks_server.jwks_url)
    with pytest.raises(KeysUnavailableError):
        await validator.validate(rsa_key.sign(claims(ISSUER)))


async def test_jwks_error_status_gives_503(jwks_server: JWKSServer, rsa_key: KeyPair) -> None:
    jwks_server.status = 500
    validator = jwks_validator(jwks_server.jwks_url)
    with pytest.raises(KeysUnavailableError):
        await validator.validate(rsa_key.sign(claims(ISSUER)))


async def test_not_a_jwks_gives_503(jwks_server: JWKSServer, rsa_key: KeyPair) -> None:
    validator = jwks_validator(jwks_server.base_url + "/.well-known/openid-configuration")
    with pytest.raises(KeysUnavailableError):
        await validator.validate(rsa_key.sign(claims(ISSUER)))


async def test_failure_backoff_answers_without_refetching(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    jwks_server.status = 500
    validator = jwks_validator(jwks_server.jwks_url, JWKSOptions(timeout=2.0, failure_backoff=3600))
    for _ in range(3):
        with pytest.raises(KeysUnavailableError):
            await validator.validate(rsa_key.sign(claims(ISSUER)))
    assert jwks_server.requests == 1


async def test_recovers_when_server_comes_back(jwks_server: JWKSServer, rsa_key: KeyPair) -> None:
    jwks_server.status = 503
    validator = jwks_validator(jwks_server.jwks_url)
    with pytest.raises(KeysUnavailableError):
        await validator.validate(rsa_key.sign(claims(ISSUER)))
    jwks_server.status = 200
    assert (await validator.validate(rsa_key.sign(claims(ISSUER)))).subject == "user-42"


async def test_stale_keys_serve_while_server_is_down(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    validator = jwks_validator(jwks_server.jwks_url, JWKSOptions(timeout=2.0, ttl=0))
    await validator.validate(rsa_key.sign(claims(ISSUER)))
    jwks_server.status = 500
    assert (await validator.validate(rsa_key.sign(claims(ISSUER)))).subject == "user-42"


async def test_unknown_kid_while_server_down_gives_503(
    jwks_server: JWKSServer, rsa_key: KeyPair, rsa_key_2: KeyPair
) -> None:
    validator = jwks_validator(jwks_server.jwks_url)
    await validator.validate(rsa_key.sign(claims(ISSUER)))
    jwks_server.status = 500
    with pytest.raises(KeysUnavailableError):
        await validator.validate(rsa_key_2.sign(claims(ISSUER)))


async def test_ec_keys_from_jwks(jwks_server: JWKSServer, ec_key: KeyPair) -> None:
    jwks_server.keys = [ec_key]
    validator = jwks_validator(jwks_server.jwks_url, algorithms=["ES256"])
    assert (await validator.validate(ec_key.sign(claims(ISSUER)))).issuer == ISSUER


async def test_jwks_key_pinned_to_another_alg_is_not_used(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    ps_key = KeyPair(rsa_key.private_key, "PS256", "rsa-1")
    validator = jwks_validator(jwks_server.jwks_url, algorithms=["RS256", "PS256"])
    with pytest.raises(InvalidCredentialsError) as info:
        await validator.validate(ps_key.sign(claims(ISSUER)))
    assert info.value.detail == "Token was signed with an unknown key"


async def test_openid_discovery(jwks_server: JWKSServer, rsa_key: KeyPair) -> None:
    issuer = jwks_server.issuer
    validator = TokenValidator(Issuer(issuer, audience=AUDIENCE, discovery=True), jwks=FAST)
    token = await validator.validate(rsa_key.sign(claims(issuer)))
    assert token.issuer == issuer
    assert jwks_server.requests == 2  # the discovery document, then the JWKS


async def test_discovery_document_for_another_issuer_gives_503(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    issuer = jwks_server.base_url
    jwks_server.discovery_issuer = "https://someone-else.example.com"
    validator = TokenValidator(Issuer(issuer, audience=AUDIENCE, discovery=True), jwks=FAST)
    with pytest.raises(KeysUnavailableError):
        await validator.validate(rsa_key.sign(claims(issuer)))


async def test_unusable_jwks_entries_are_skipped(
    jwks_server: JWKSServer, rsa_key: KeyPair, rsa_key_2: KeyPair
) -> None:
    jwks_server.extra_jwks = [
        {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
        {**rsa_key_2.jwk(), "kid": "private", "d": "AQAB"},
        {**rsa_key_2.jwk(), "kid": "encryption", "use": "enc"},
        {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
        "not a key",
    ]
    validator = jwks_validator(jwks_server.jwks_url)
    assert (await validator.validate(rsa_key.sign(claims(ISSUER)))).subject == "user-42"
    for kid in ("hmac", "private", "encryption", "broken"):
        with pytest.raises(InvalidCredentialsError):
            await validator.validate(rsa_key_2.sign(claims(ISSUER), kid=kid))


# --- a server that hangs: back-off, one shared fetch, stale keys --------------------------


async def test_backoff_counts_from_when_a_hanging_fetch_failed(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    # The back-off (0.9 s) is shorter than the timeout (1 s): counted from when the
    # fetch started, it would be over before the failure is known.
    jwks_server.delay = 5
    validator = jwks_validator(jwks_server.jwks_url, JWKSOptions(timeout=1.0, failure_backoff=0.9))
    for _ in range(3):
        with pytest.raises(KeysUnavailableError):
            await validator.validate(rsa_key.sign(claims(ISSUER)))
    assert jwks_server.requests == 1


async def test_a_request_arriving_during_a_fetch_shares_it(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    jwks_server.delay = 0.5
    validator = jwks_validator(jwks_server.jwks_url)
    subjects: list[str | None] = []

    async def one() -> None:
        subjects.append((await validator.validate(rsa_key.sign(claims(ISSUER)))).subject)

    async with anyio.create_task_group() as group:
        group.start_soon(one)
        while jwks_server.requests == 0:  # the first fetch is in flight
            await anyio.sleep(0.01)
        group.start_soon(one)
    assert subjects == ["user-42", "user-42"]
    assert jwks_server.requests == 1


async def test_requests_waiting_on_a_hanging_fetch_do_not_fetch_again(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    jwks_server.delay = 5
    validator = jwks_validator(jwks_server.jwks_url, JWKSOptions(timeout=1.0, failure_backoff=0))
    outcomes: list[int] = []

    async def one() -> None:
        with pytest.raises(KeysUnavailableError) as info:
            await validator.validate(rsa_key.sign(claims(ISSUER)))
        outcomes.append(info.value.status_code)

    with anyio.fail_after(4):  # each waits at most the 1 s timeout, not one timeout each
        async with anyio.create_task_group() as group:
            group.start_soon(one)
            while jwks_server.requests == 0:
                await anyio.sleep(0.01)
            for _ in range(5):
                group.start_soon(one)
    assert outcomes == [503] * 6
    assert jwks_server.requests == 1


async def test_stale_keys_answer_at_once_while_a_refresh_is_in_flight(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    validator = jwks_validator(jwks_server.jwks_url, JWKSOptions(timeout=3.0, ttl=0))
    await validator.validate(rsa_key.sign(claims(ISSUER)))
    jwks_server.delay = 1.0
    finished: list[str] = []

    async def refresher() -> None:
        await validator.validate(rsa_key.sign(claims(ISSUER)))
        finished.append("refresher")

    async with anyio.create_task_group() as group:
        group.start_soon(refresher)
        while jwks_server.requests < 2:  # the refresh is in flight
            await anyio.sleep(0.01)
        assert (await validator.validate(rsa_key.sign(claims(ISSUER)))).subject == "user-42"
        finished.append("other")
    assert finished == ["other", "refresher"]
    assert jwks_server.requests == 2


async def test_stale_keys_keep_serving_while_the_server_hangs(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    validator = jwks_validator(
        jwks_server.jwks_url, JWKSOptions(timeout=0.5, ttl=0, failure_backoff=3600)
    )
    await validator.validate(rsa_key.sign(claims(ISSUER)))
    jwks_server.delay = 5
    for _ in range(3):
        assert (await validator.validate(rsa_key.sign(claims(ISSUER)))).subject == "user-42"
    assert jwks_server.requests == 2  # the first fetch, then one failed refresh


async def test_stale_keys_are_not_served_beyond_the_limit(
    jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    validator = jwks_validator(
        jwks_server.jwks_url, JWKSOptions(timeout=2.0, ttl=0, stale_if_error=0)
    )
    await validator.validate(rsa_key.sign(claims(ISSUER)))
    jwks_server.status = 500
    with pytest.raises(KeysUnavailableError):
        await validator.validate(rsa_key.sign(claims(ISSUER)))


def test_stale_limit_must_not_be_negative() -> None:
    with pytest.raises(ConfigurationError, match="stale_if_error=-1"):
        JWKSOptions(stale_if_error=-1)
