"""Hostile tokens, a hanging key server and the token endpoint's answers, over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from auth_e2e_app import PARTNER_ISSUER, PARTNER_SECRET, build_app
from auth_e2e_server import serve
from auth_support import AUDIENCE, JWKSServer, KeyPair, claims, free_port_url, running_jwks_server

from veloxapi import Security, VeloxAPI
from veloxapi.batteries.auth import (
    BearerTokenAuth,
    Issuer,
    JWKSOptions,
    TokenValidator,
    ValidatedToken,
)

OUTAGE_ISSUER = "https://outage.example.com/"


@pytest.fixture(scope="module")
def base_url(jwks_server: JWKSServer, slow_jwks_server: JWKSServer) -> Iterator[str]:
    app, _ = build_app(
        jwks_url=jwks_server.jwks_url, down_url=free_port_url(), slow_url=slow_jwks_server.jwks_url
    )
    with serve(app) as url:
        yield url


HS256_HEADER = b'{"alg": "HS256", "typ": "JWT"}'


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def partner_signed(payload: bytes) -> str:
    signing_input = b64(HS256_HEADER) + "." + b64(payload)
    digest = hmac.new(PARTNER_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(digest)}"


def hostile_tokens() -> dict[str, str]:
    deep = b"[" * 5000 + b"]" * 5000
    now = str(int(time.time())).encode()
    infinite = (
        b'{"iss": "' + PARTNER_ISSUER.encode() + b'", "aud": "' + AUDIENCE.encode() + b'", '
        b'"sub": "x", "iat": ' + now + b', "exp": Infinity}'
    )
    return {
        "nested-payload": ".".join(
            [b64(b'{"alg": "HS256"}'), b64(b'{"a": ' + deep + b"}"), "c2ln"]
        ),
        "nested-header": ".".join([b64(b'{"alg": ' + deep + b"}"), b64(b"{}"), "c2ln"]),
        "infinite-exp": partner_signed(infinite),
        "oversized": partner_signed(b'{"pad": "' + b"x" * 20_000 + b'"}'),
    }


@pytest.mark.parametrize("name", sorted(hostile_tokens()))
def test_hostile_tokens_get_401(client: httpx.Client, base_url: str, name: str) -> None:
    token = hostile_tokens()[name]
    response = client.get(base_url + "/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert client.get(base_url + "/me").status_code == 401  # and the server still serves


# --- a key server that hangs ------------------------------------------------------------


@pytest.fixture
def outage(rsa_key: KeyPair) -> Iterator[tuple[str, JWKSServer]]:
    """An app whose keys expire at once (ttl=0) and whose back-off equals the timeout."""
    with running_jwks_server(rsa_key) as server:
        options = JWKSOptions(timeout=2.0, ttl=0, failure_backoff=2.0)
        issuer = Issuer(OUTAGE_ISSUER, audience=AUDIENCE, jwks_url=server.jwks_url)
        bearer = BearerTokenAuth(TokenValidator(issuer, jwks=options))
        app = VeloxAPI()

        @app.get("/me")
        async def me(token: ValidatedToken = Security(bearer)) -> dict[str, str | None]:
            return {"sub": token.subject}

        with serve(app) as url:
            yield url, server


def test_a_hanging_key_server_is_asked_once_while_cached_keys_answer(
    outage: tuple[str, JWKSServer], rsa_key: KeyPair
) -> None:
    url, server = outage
    headers = {"Authorization": f"Bearer {rsa_key.sign(claims(OUTAGE_ISSUER))}"}

    def status(_: int) -> int:
        with httpx.Client(timeout=10) as http:
            return http.get(url + "/me", headers=headers).status_code

    assert status(0) == 200  # keys fetched and cached
    server.delay = 30  # from now on the key server hangs
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(status, range(8))) == [200] * 8
    assert [status(i) for i in range(5)] == [200] * 5  # within the back-off: no new fetch
    assert server.requests == 2  # the first fetch, and one refresh for all 13 requests


# --- the built-in token endpoint --------------------------------------------------------


def test_token_answers_are_never_cached(client: httpx.Client, base_url: str) -> None:
    good = client.post(base_url + "/token", data={"username": "alice", "password": "wonderland"})
    bad = client.post(base_url + "/token", data={"username": "alice", "password": "nope"})
    assert (good.status_code, bad.status_code) == (200, 400)
    for response in (good, bad):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Pragma"] == "no-cache"


def test_token_response_is_documented(client: httpx.Client, base_url: str) -> None:
    schema = client.get(base_url + "/openapi.json").json()
    ok = schema["paths"]["/token"]["post"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/TokenResponse"}
    model = schema["components"]["schemas"]["TokenResponse"]
    assert set(model["required"]) == {"access_token", "token_type", "expires_in", "scope"}
    assert model["properties"]["expires_in"]["type"] == "integer"
