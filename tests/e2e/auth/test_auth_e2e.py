"""The auth battery through a real app on real uvicorn, over real HTTP.

Tokens are signed with keys generated here; the RSA issuer's keys come from a
JWKS server on loopback. No answer may be a 500.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from auth_e2e_app import (
    API_KEY,
    DOWN_ISSUER,
    PARTNER_ISSUER,
    PARTNER_SECRET,
    RSA_ISSUER,
    SLOW_ISSUER,
    build_app,
)
from auth_e2e_server import serve
from auth_support import JWKSServer, KeyPair, claims, free_port_url, hmac_token
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect


@pytest.fixture(scope="module")
def base_url(jwks_server: JWKSServer, slow_jwks_server: JWKSServer) -> Iterator[str]:
    app, _ = build_app(
        jwks_url=jwks_server.jwks_url, down_url=free_port_url(), slow_url=slow_jwks_server.jwks_url
    )
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def dev_base_url(jwks_server: JWKSServer, slow_jwks_server: JWKSServer) -> Iterator[str]:
    app, _ = build_app(
        jwks_url=jwks_server.jwks_url,
        down_url=free_port_url(),
        slow_url=slow_jwks_server.jwks_url,
        environment="development",
    )
    with serve(app) as url:
        yield url


def get(client: httpx.Client, url: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
    headers = kwargs.pop("headers", {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = client.get(url, headers=headers, **kwargs)
    assert response.status_code != 500, response.text
    return response


def assert_invalid_token(response: httpx.Response, description: str) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == {"detail": description}
    assert response.headers["WWW-Authenticate"] == (
        f'Bearer error="invalid_token", error_description="{description}"'
    )


def partner(**overrides: Any) -> str:
    return hmac_token(claims(PARTNER_ISSUER, **overrides), PARTNER_SECRET)


# --- token validation -------------------------------------------------------------------


def test_valid_jwks_token(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    response = get(client, base_url + "/me", rsa_key.sign(claims(RSA_ISSUER, scope="a b")))
    assert response.status_code == 200
    assert response.json() == {"sub": "user-42", "iss": RSA_ISSUER, "scopes": ["a", "b"]}


def test_valid_hmac_token(client: httpx.Client, base_url: str) -> None:
    assert get(client, base_url + "/me", partner()).json()["iss"] == PARTNER_ISSUER


def test_expired(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    past = int(time.time()) - 3600
    token = rsa_key.sign(claims(RSA_ISSUER, iat=past - 10, exp=past))
    assert_invalid_token(get(client, base_url + "/me", token), "Token has expired")


def test_not_yet_valid(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    token = rsa_key.sign(claims(RSA_ISSUER, nbf=int(time.time()) + 3600))
    assert_invalid_token(get(client, base_url + "/me", token), "Token is not yet valid")


def test_wrong_audience(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    token = rsa_key.sign(claims(RSA_ISSUER, aud="billing-api"))
    assert_invalid_token(get(client, base_url + "/me", token), "Token audience is not accepted")


def test_wrong_issuer(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    token = rsa_key.sign(claims("https://evil.example.com/"))
    assert_invalid_token(get(client, base_url + "/me", token), "Token issuer is not trusted")


def test_no_issuer(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    token = rsa_key.sign(claims(RSA_ISSUER, iss=None))
    assert_invalid_token(get(client, base_url + "/me", token), "Token has no issuer")


@pytest.mark.parametrize("claim", ["exp", "aud"])
def test_missing_required_claim(
    client: httpx.Client, base_url: str, rsa_key: KeyPair, claim: str
) -> None:
    token = rsa_key.sign(claims(RSA_ISSUER, **{claim: None}))
    response = get(client, base_url + "/me", token)
    assert_invalid_token(response, f"Token is missing the {claim!r} claim")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_alg_none(client: httpx.Client, base_url: str) -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    token = f"{header}.{_b64(json.dumps(claims(RSA_ISSUER)).encode())}."
    response = get(client, base_url + "/me", token)
    assert_invalid_token(response, "Token algorithm is not accepted")


def test_hs256_signed_with_the_rsa_issuers_public_key(
    client: httpx.Client, base_url: str, rsa_key: KeyPair
) -> None:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    signing_input = f"{header}.{_b64(json.dumps(claims(RSA_ISSUER)).encode())}"
    signature = jwt.get_algorithm_by_name("HS256").sign(
        signing_input.encode(), rsa_key.public_pem.encode()
    )
    response = get(client, base_url + "/me", f"{signing_input}.{_b64(signature)}")
    assert_invalid_token(response, "Token algorithm is not accepted")


def test_unknown_kid_then_rotation(
    client: httpx.Client,
    base_url: str,
    jwks_server: JWKSServer,
    rsa_key: KeyPair,
    rsa_key_2: KeyPair,
) -> None:
    assert get(client, base_url + "/me", rsa_key.sign(claims(RSA_ISSUER))).status_code == 200
    rotated = rsa_key_2.sign(claims(RSA_ISSUER))
    response = get(client, base_url + "/me", rotated)
    assert_invalid_token(response, "Token was signed with an unknown key")
    jwks_server.keys = [rsa_key, rsa_key_2]
    try:
        assert get(client, base_url + "/me", rotated).status_code == 200
    finally:
        jwks_server.keys = [rsa_key]


def test_jwks_server_down(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    response = get(client, base_url + "/me", rsa_key.sign(claims(DOWN_ISSUER)))
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "Traceback" not in response.text


def test_jwks_server_slow(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    response = get(client, base_url + "/me", rsa_key.sign(claims(SLOW_ISSUER)))
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        ("Bearer", "Malformed Authorization header"),
        ("Bearer a b", "Malformed Authorization header"),
        ("Basic dXNlcjpwdw==", "Not authenticated"),
        ("Bearer not-a-jwt", "Token is malformed"),
        ("Bearer a.b.c", "Token is malformed"),
    ],
)
def test_malformed_authorization_header(
    client: httpx.Client, base_url: str, authorization: str, detail: str
) -> None:
    response = get(client, base_url + "/me", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_missing_credentials(client: httpx.Client, base_url: str) -> None:
    response = get(client, base_url + "/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


# --- scopes -----------------------------------------------------------------------------


def test_string_scopes(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    token = rsa_key.sign(claims(RSA_ISSUER, scope="orders:read profile"))
    assert get(client, base_url + "/orders", token).json() == ["order-1"]


def test_list_scopes(client: httpx.Client, base_url: str) -> None:
    # The partner issuer puts scopes in a list; the default claim accepts both shapes.
    assert get(client, base_url + "/orders", partner(scope=["orders:read"])).status_code == 200


def test_insufficient_scope(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    token = rsa_key.sign(claims(RSA_ISSUER, scope="profile"))
    response = get(client, base_url + "/orders", token)
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == (
        'Bearer error="insufficient_scope", scope="orders:read"'
    )


def test_current_user_with_scope(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    token = rsa_key.sign(claims(RSA_ISSUER, scope="profile"))
    assert get(client, base_url + "/profile", token).json() == {"id": "user-42"}
    no_scope = rsa_key.sign(claims(RSA_ISSUER))
    assert get(client, base_url + "/profile", no_scope).status_code == 403


def test_current_user_without_subject(client: httpx.Client, base_url: str) -> None:
    response = get(client, base_url + "/profile", partner(sub=None, scope="profile"))
    assert_invalid_token(response, "Token does not identify a user")


def test_websocket_with_token(base_url: str) -> None:
    token = partner(scope="stream")
    url = base_url.replace("http://", "ws://") + "/stream"
    with connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        assert json.loads(ws.recv(timeout=5)) == {"sub": "user-42"}


@pytest.mark.parametrize("scope", [None, "orders:read"])
def test_websocket_without_token_or_scope_is_refused(base_url: str, scope: str | None) -> None:
    url = base_url.replace("http://", "ws://") + "/stream"
    headers = {} if scope is None else {"Authorization": f"Bearer {partner(scope=scope)}"}
    with pytest.raises(InvalidStatus) as info, connect(url, additional_headers=headers):
        pass
    assert info.value.response.status_code in {401, 403}


# --- protected_route checks -------------------------------------------------------------

PASSING: dict[str, dict[str, Any]] = {
    "scopes": {"scope": "orders:read orders:write"},
    "key-present": {"tenant": "acme"},
    "key-contains": {"groups": ["dev", "ops"]},
    "key-contains-in-list": {"role": "owner"},
    "match-keys": {"tenant": "acme", "tier": "gold"},
    "argument-present": {},
    "argument-not-present": {},
    "production-only": {},
    "and": {"tenant": "acme", "scope": "orders:read"},
    "or": {"scope": "orders:admin"},
}
FAILING: dict[str, dict[str, Any]] = {
    "scopes": {"scope": "orders:read"},
    "key-present": {},
    "key-contains": {"groups": ["dev"]},
    "key-contains-in-list": {"role": "viewer"},
    "match-keys": {"tenant": "acme", "tier": "silver"},
    "argument-present": {},
    "argument-not-present": {},
    "non-production-only": {},
    "and": {"tenant": "acme"},
    "or": {"role": "viewer", "scope": "orders:read"},
}
QUERY = {"argument-present": {"confirm": "yes"}, "argument-not-present": {"force": "1"}}


@pytest.mark.parametrize("name", sorted(PASSING))
def test_check_passes(client: httpx.Client, base_url: str, name: str) -> None:
    params = QUERY.get(name, {}) if name != "argument-not-present" else {}
    response = get(client, f"{base_url}/checks/{name}", partner(**PASSING[name]), params=params)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("name", sorted(FAILING))
def test_check_refuses(client: httpx.Client, base_url: str, name: str) -> None:
    params = QUERY.get(name, {}) if name == "argument-not-present" else {}
    response = get(client, f"{base_url}/checks/{name}", partner(**FAILING[name]), params=params)
    assert response.status_code == 403, response.text
    assert response.json() == {"detail": "Not enough permissions"}


def test_non_production_only_in_development(client: httpx.Client, dev_base_url: str) -> None:
    assert get(client, dev_base_url + "/checks/non-production-only", partner()).status_code == 200
    assert get(client, dev_base_url + "/checks/production-only", partner()).status_code == 403


def test_checks_need_a_valid_token(client: httpx.Client, base_url: str) -> None:
    assert get(client, base_url + "/checks/key-present").status_code == 401


def test_field_in_path_matches_jwt_claim(client: httpx.Client, base_url: str) -> None:
    token = partner(tenant="acme")
    ok = get(client, base_url + "/tenants/acme", token)
    assert ok.json() == {"tenant": "acme", "sub": "user-42"}
    assert get(client, base_url + "/tenants/globex", token).status_code == 403


def test_field_in_body_matches_jwt_claim(client: httpx.Client, base_url: str) -> None:
    headers = {"Authorization": f"Bearer {partner()}"}
    mine = client.post(
        base_url + "/orders", json={"owner": "user-42", "item": "tea"}, headers=headers
    )
    assert mine.status_code == 200, mine.text
    assert mine.json() == {"owner": "user-42", "item": "tea"}
    theirs = client.post(
        base_url + "/orders", json={"owner": "bob", "item": "tea"}, headers=headers
    )
    assert theirs.status_code == 403
    garbage = client.post(base_url + "/orders", content=b"\xff{", headers=headers)
    assert garbage.status_code == 403


def test_allowed_issuers_enforced(client: httpx.Client, base_url: str, rsa_key: KeyPair) -> None:
    assert get(client, base_url + "/partner-only", partner()).status_code == 200
    response = get(client, base_url + "/partner-only", rsa_key.sign(claims(RSA_ISSUER)))
    assert response.status_code == 403
    assert response.json() == {"detail": "Token issuer is not allowed for this route"}


# --- API keys ---------------------------------------------------------------------------


def test_api_key_missing(client: httpx.Client, base_url: str) -> None:
    response = get(client, base_url + "/service")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "APIKey"


def test_api_key_wrong(client: httpx.Client, base_url: str) -> None:
    response = get(client, base_url + "/service", headers={"X-Service-Key": API_KEY[:-1] + "x"})
    assert response.status_code == 403
    assert API_KEY[:-1] not in response.text


def test_api_key_right(client: httpx.Client, base_url: str) -> None:
    response = get(client, base_url + "/service", headers={"X-Service-Key": API_KEY})
    assert response.json() == {"ok": True}


# --- the built-in token endpoint --------------------------------------------------------


def test_password_flow(client: httpx.Client, base_url: str) -> None:
    form = {"username": "alice", "password": "wonderland", "scope": "orders:read"}
    response = client.post(base_url + "/token", data=form)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["scope"] == "orders:read"
    orders = get(client, base_url + "/own/orders", body["access_token"])
    assert orders.json() == {"user": "alice"}


def test_password_flow_wrong_password(client: httpx.Client, base_url: str) -> None:
    response = client.post(base_url + "/token", data={"username": "alice", "password": "nope"})
    assert response.status_code == 400
    assert "nope" not in response.text
    unknown = client.post(base_url + "/token", data={"username": "mallory", "password": "x"})
    assert unknown.status_code == 400


def test_password_flow_scope_not_granted(client: httpx.Client, base_url: str) -> None:
    form = {"username": "alice", "password": "wonderland", "scope": "profile"}
    token = client.post(base_url + "/token", data=form).json()["access_token"]
    assert get(client, base_url + "/own/orders", token).status_code == 403


# --- OpenAPI ----------------------------------------------------------------------------


def test_openapi_documents_schemes_and_scopes(client: httpx.Client, base_url: str) -> None:
    schema = get(client, base_url + "/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerTokenAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["APIKeyAuth"] == {"type": "apiKey", "in": "header", "name": "X-Service-Key"}
    password = schemes["OAuth2PasswordTokenAuth"]["flows"]["password"]
    assert password["tokenUrl"] == "/token"
    assert set(password["scopes"]) == {"orders:read", "orders:write"}
    paths = schema["paths"]
    assert paths["/orders"]["get"]["security"] == [{"BearerTokenAuth": ["orders:read"]}]
    assert paths["/profile"]["get"]["security"] == [{"BearerTokenAuth": ["profile"]}]
    assert paths["/own/orders"]["get"]["security"] == [{"OAuth2PasswordTokenAuth": ["orders:read"]}]


# --- secrets stay out of logs and bodies ------------------------------------------------


def test_credentials_never_logged(
    client: httpx.Client, base_url: str, rsa_key: KeyPair, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    expired = rsa_key.sign(claims(RSA_ISSUER, exp=int(time.time()) - 3600))
    wrong_key = "wrong-key-" + "z" * 24
    bodies = [
        get(client, base_url + "/me", expired).text,
        get(client, base_url + "/service", headers={"X-Service-Key": wrong_key}).text,
        client.post(base_url + "/token", data={"username": "alice", "password": "s3cr3t!"}).text,
    ]
    for secret in (expired, expired.split(".")[2], wrong_key, "s3cr3t!"):
        assert secret not in caplog.text
        assert all(secret not in body for body in bodies)
