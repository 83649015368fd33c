"""An FBI service moved to veloxapi by changing its imports, over real HTTP.

The identity provider's keys come from a JWKS server on loopback, configured
with FBI's own variables (``AUTH_PROVIDER_*``); the routes are written as FBI
documents them. No answer may be a 500.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from auth_e2e_server import serve
from auth_support import JWKSServer, KeyPair
from fbi_support import API_KEY, DEV_ENV, bearer, forget_fbi, internal_token, load_fbi

from veloxapi import APIRouter, FastAPI, Response, Security

METADATA = "https://example.com/metadata"
AUDIENCE = "https://api.example.com/"


def build_app(fbi: dict[str, Any], provider: str) -> FastAPI:
    security, jwt_user = fbi[""], fbi["jwt_user"]
    ValidatedUser = jwt_user.ValidatedUser
    router = APIRouter()

    @router.get("/endpoint/path")
    async def token_claims(
        token: Any = Security(jwt_user.get_validated_jwt_token, scopes=["read:patient"]),
    ) -> dict[str, Any]:
        return {
            "scopes": token.scopes,
            "claims": {k: v for k, v in token.claims.items() if k != "raw"},
        }

    @router.get(
        "/patients/{patient_id}",
        dependencies=[
            Security(
                security.protected_route(
                    security.or_(
                        security.scopes_present("admin:patient"),
                        security.match_keys(patient_id="patient_ids"),
                    ),
                    allowed_issuers=[provider],
                )
            )
        ],
    )
    async def patient(patient_id: str) -> dict[str, str]:
        return {"patient": patient_id}

    @router.get("/me")
    async def me(user: Any = Security(jwt_user.get_validated_user)) -> dict[str, str]:
        assert isinstance(user, ValidatedUser)
        return {"user_id": user.user_id}

    @router.post("/internal", status_code=204, dependencies=[Security(fbi["api_key"].get_api_key)])
    async def internal() -> Response:
        return Response(status_code=204)

    app = FastAPI()
    app.include_router(router)
    return app


@pytest.fixture(scope="module")
def service(jwks_server: JWKSServer) -> Iterator[str]:
    provider = jwks_server.base_url + "/"
    env = {
        **DEV_ENV,
        "AUTH_PROVIDER_DOMAIN": provider,
        "AUTH_PROVIDER_AUDIENCE": AUDIENCE,
        "AUTH_PROVIDER_JWKS_URL": jwks_server.jwks_url,
        "AUTH_PROVIDER_METADATA": METADATA,
        "ACCEPTED_API_KEY": API_KEY,
        "VALID_USER_ID_KEYS": '["clinician_id", "sub"]',
    }
    with pytest.MonkeyPatch.context() as monkeypatch:
        app = build_app(load_fbi(monkeypatch, **env), provider)
    with serve(app) as url:
        yield url
    forget_fbi()


def provider_token(rsa_key: KeyPair, issuer: str, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": issuer, "aud": AUDIENCE, "sub": "auth0|1", "iat": now, "exp": now + 300}
    return rsa_key.sign({**payload, **claims})


def get(client: httpx.Client, url: str, token: str | None = None) -> httpx.Response:
    response = client.get(url, headers=bearer(token) if token else {})
    assert response.status_code != 500, response.text
    return response


def test_provider_token_with_permissions_and_metadata(
    client: httpx.Client, service: str, jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    token = provider_token(
        rsa_key,
        jwks_server.base_url + "/",
        permissions=["read:patient"],
        **{METADATA: {"clinician_id": "c-9", "locations": [{"id": "L1"}]}},
    )
    body = get(client, service + "/endpoint/path", token).json()
    assert body["scopes"] == ["read:patient"]
    assert body["claims"]["clinician_id"] == "c-9"
    assert body["claims"]["location_ids"] == ["L1"]
    assert get(client, service + "/me", token).json() == {"user_id": "c-9"}


def test_scope_missing_is_403(
    client: httpx.Client, service: str, jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    token = provider_token(rsa_key, jwks_server.base_url + "/", permissions=["other"])
    response = get(client, service + "/endpoint/path", token)
    assert (response.status_code, response.json()) == (403, {"detail": "Not enough permissions"})


def test_protected_route_with_match_keys_and_allowed_issuers(
    client: httpx.Client, service: str, jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    provider = jwks_server.base_url + "/"
    own = provider_token(rsa_key, provider, **{METADATA: {"patient_ids": ["p-1", "p-2"]}})
    assert get(client, service + "/patients/p-2", own).json() == {"patient": "p-2"}
    assert get(client, service + "/patients/p-3", own).status_code == 403
    admin = provider_token(rsa_key, provider, permissions=["admin:patient"])
    assert get(client, service + "/patients/p-3", admin).status_code == 200
    internal = internal_token(scope="admin:patient")  # valid, but not an allowed issuer
    assert get(client, service + "/patients/p-3", internal).status_code == 403


def test_invalid_tokens_are_401_and_never_500(
    client: httpx.Client, service: str, jwks_server: JWKSServer, rsa_key: KeyPair
) -> None:
    provider = jwks_server.base_url + "/"
    for token in (
        provider_token(rsa_key, provider, exp=int(time.time()) - 60),
        provider_token(rsa_key, provider, aud="https://other.example.com/"),
        provider_token(rsa_key, provider, aud=None),
        "a.b.c",
        ".".join(["eyJhbGciOiJIUzI1NiJ9", "W" * 20_000, "c2ln"]),
    ):
        response = get(client, service + "/endpoint/path", token)
        assert response.status_code == 401, response.text
    assert get(client, service + "/endpoint/path").status_code == 401


def test_api_key(client: httpx.Client, service: str) -> None:
    assert client.post(service + "/internal", headers={"X-Api-Key": API_KEY}).status_code == 204
    assert client.post(service + "/internal").status_code == 401
    assert client.post(service + "/internal", headers={"X-Api-Key": "x" * 20}).status_code == 403
