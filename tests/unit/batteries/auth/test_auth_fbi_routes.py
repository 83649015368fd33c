"""The FBI migration module through an app, from FBI's documented examples.

Each test imports the module under its own environment (FBI reads settings on
import), registers routes exactly as FBI's README and tests do, and calls them.
"""

# No ``from __future__ import annotations``: routes here are annotated with local names.

from types import ModuleType

import pytest
from fbi_support import API_KEY, DEV_ENV, INTERNAL, bearer, forget_fbi, internal_token, load_fbi

from veloxapi import APIRouter, FastAPI, Response, Security, status
from veloxapi.testclient import TestClient


@pytest.fixture(autouse=True)
def _forget() -> None:
    yield
    forget_fbi()


def protected_app(fbi: dict[str, ModuleType]) -> FastAPI:
    """FBI's protected-route example: a route check, and scopes with no check."""
    protected_route = fbi[""].protected_route
    scopes_present = fbi["endpoint_security"].scopes_present
    router = APIRouter()

    @router.get(
        "/secured",
        dependencies=[Security(protected_route(scopes_present(required_scopes="hello:world")))],
    )
    def secured() -> dict[str, bool]:
        return {"result": True}

    @router.get(
        "/scoped_endpoint", dependencies=[Security(protected_route(), scopes=["hello:world"])]
    )
    def scoped() -> dict[str, bool]:
        return {"result": True}

    app = FastAPI()
    app.include_router(router)
    return app


@pytest.mark.parametrize(
    ("environment", "ignore", "scope", "expected"),
    [
        ("DEVELOPMENT", "true", "foo:bar", 200),
        ("DEVELOPMENT", "false", "foo:bar", 403),
        ("DEVELOPMENT", "true", "hello:world", 200),
        ("DEVELOPMENT", "false", "hello:world", 200),
        ("PRODUCTION", "false", "foo:bar", 403),
        ("PRODUCTION", "false", "hello:world", 200),
    ],
)
def test_protected_route_and_ignore_jwt_validation(
    monkeypatch: pytest.MonkeyPatch, environment: str, ignore: str, scope: str, expected: int
) -> None:
    env = {**DEV_ENV, "ENVIRONMENT": environment, "IGNORE_JWT_VALIDATION": ignore}
    client = TestClient(protected_app(load_fbi(monkeypatch, **env)))
    response = client.get("/secured", headers=bearer(internal_token(scope=scope)))
    assert response.status_code == expected
    if expected == 200:
        assert response.json() == {"result": True}


@pytest.mark.parametrize("ignore", ["true", "false"])
@pytest.mark.parametrize(("scope", "expected"), [("foo:bar", 403), ("hello:world", 200)])
def test_scopes_are_checked_even_when_validation_is_ignored(
    monkeypatch: pytest.MonkeyPatch, ignore: str, scope: str, expected: int
) -> None:
    client = TestClient(
        protected_app(load_fbi(monkeypatch, **DEV_ENV, IGNORE_JWT_VALIDATION=ignore))
    )
    response = client.get("/scoped_endpoint", headers=bearer(internal_token(scope=scope)))
    assert response.status_code == expected


def test_openapi_has_fbis_bearer_scheme_and_route_scopes(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = protected_app(load_fbi(monkeypatch, **DEV_ENV)).openapi()
    assert schema["components"]["securitySchemes"] == {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    assert schema["paths"]["/secured"]["get"]["security"] == [{"bearerAuth": []}]
    assert schema["paths"]["/scoped_endpoint"]["get"]["security"] == [
        {"bearerAuth": ["hello:world"]}
    ]


def test_get_validated_user_with_scopes(monkeypatch: pytest.MonkeyPatch) -> None:
    fbi = load_fbi(monkeypatch, **DEV_ENV)
    ValidatedUser, get_validated_user = fbi["jwt_user"].ValidatedUser, fbi[""].get_validated_user
    app = FastAPI()

    @app.get("/secured_endpoint")
    async def secured(
        user: ValidatedUser = Security(get_validated_user, scopes=["hello:world"]),
    ) -> dict[str, object]:
        return {"user_id": user.user_id, "scopes": user.token_data.scopes}

    client = TestClient(app)
    metadata = {"clinician_id": "4321"}
    ok = client.get(
        "/secured_endpoint", headers=bearer(internal_token(scope="hello:world", metadata=metadata))
    )
    assert ok.json() == {"user_id": "1234567890", "scopes": ["hello:world"]}
    refused = client.get("/secured_endpoint", headers=bearer(internal_token(scope="foo:bar")))
    assert (refused.status_code, refused.json()) == (403, {"detail": "Not enough permissions"})


def test_a_token_naming_no_user_is_403(monkeypatch: pytest.MonkeyPatch) -> None:
    fbi = load_fbi(monkeypatch, **DEV_ENV, VALID_USER_ID_KEYS='["clinician_id"]')
    app = FastAPI()

    @app.get("/me")
    async def me(user: object = Security(fbi[""].get_validated_user)) -> dict[str, str]:
        return {"id": user.user_id}  # type: ignore[attr-defined]

    client = TestClient(app)
    named = client.get("/me", headers=bearer(internal_token(metadata={"clinician_id": "c-1"})))
    assert named.json() == {"id": "c-1"}
    assert client.get("/me", headers=bearer(internal_token())).status_code == 403


def test_get_validated_jwt_token_gives_fbis_token_data(monkeypatch: pytest.MonkeyPatch) -> None:
    fbi = load_fbi(monkeypatch, **DEV_ENV)
    TokenData, get_validated_jwt_token = fbi["jwt"].TokenData, fbi[""].get_validated_jwt_token
    app = FastAPI()

    @app.get("/endpoint/path")
    async def route(
        token: TokenData = Security(get_validated_jwt_token, scopes=["hello:world"]),
    ) -> dict[str, object]:
        return {"scopes": token.scopes, "claims": token.claims}

    metadata = {
        "clinician_id": "c-1",
        "locations": [{"id": "L1", "name": "Florence"}, {"id": "L2"}],
    }
    token = internal_token(scope="hello:world read:x", metadata=metadata)
    body = TestClient(app).get("/endpoint/path", headers=bearer(token)).json()
    assert body["scopes"] == ["hello:world", "read:x"]
    claims = body["claims"]
    assert (claims["clinician_id"], claims["location_ids"]) == ("c-1", ["L1", "L2"])
    assert (claims["iss"], claims["sub"]) == (INTERNAL, "1234567890")
    assert claims["raw"]["metadata"] == metadata


def test_missing_and_invalid_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    client = TestClient(protected_app(load_fbi(monkeypatch, **DEV_ENV)))
    missing = client.get("/scoped_endpoint")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer scope="hello:world"'
    expired = client.get("/scoped_endpoint", headers=bearer(internal_token(exp=1, iat=0)))
    assert expired.status_code == 401  # FBI said 403; an invalid token is a 401 here
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]


# --- match_keys, allowed_issuers, API keys ----------------------------------------------


def test_match_keys_against_path_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    fbi = load_fbi(monkeypatch, **DEV_ENV)
    protected_route, match_keys = fbi[""].protected_route, fbi[""].match_keys
    app = FastAPI()

    @app.get(
        "/patients/{patient_id}",
        dependencies=[Security(protected_route(match_keys(patient_id="patient_ids")))],
    )
    async def patient(patient_id: str) -> dict[str, str]:
        return {"patient": patient_id}

    client = TestClient(app)
    in_list = bearer(internal_token(metadata={"patient_ids": ["p-1", "p-2"]}))
    assert client.get("/patients/p-2", headers=in_list).json() == {"patient": "p-2"}
    assert client.get("/patients/p-3", headers=in_list).status_code == 403
    single = bearer(internal_token(metadata={"patient_ids": "p-3"}))
    assert client.get("/patients/p-3", headers=single).status_code == 200
    no_claim = bearer(internal_token())
    assert client.get("/patients/p-3", headers=no_claim).status_code == 403


def test_allowed_issuers_are_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    other = "https://login.example.com/"
    fbi = load_fbi(
        monkeypatch, **DEV_ENV, AUTH_PROVIDER_CUSTOM_DOMAIN=other, AUTH_PROVIDER_HS_KEY="k" * 64
    )
    app = FastAPI()

    @app.get(
        "/internal", dependencies=[Security(fbi[""].protected_route(allowed_issuers=INTERNAL))]
    )
    async def internal() -> dict[str, bool]:
        return {"ok": True}

    client = TestClient(app)
    assert client.get("/internal", headers=bearer(internal_token())).status_code == 200
    import jwt as pyjwt

    from_other = pyjwt.encode(
        {"iss": other, "aud": INTERNAL, "sub": "x", "iat": 1, "exp": 2**40}, "k" * 64, "HS256"
    )
    assert client.get("/internal", headers=bearer(from_other)).status_code == 403


def test_allowed_issuers_must_be_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    from veloxapi.batteries.settings import ConfigurationError

    fbi = load_fbi(monkeypatch, **DEV_ENV)
    with pytest.raises(ConfigurationError, match="does not trust"):
        fbi[""].protected_route(allowed_issuers=["https://unknown.example.com/", None])


def test_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    fbi = load_fbi(monkeypatch, **DEV_ENV, ACCEPTED_API_KEY=API_KEY)
    router = APIRouter()

    @router.post(
        "/test_endpoint_1",
        status_code=status.HTTP_204_NO_CONTENT,
        dependencies=[Security(fbi["api_key"].get_api_key)],
    )
    async def api_key_security() -> Response:
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    assert client.post("/test_endpoint_1", headers={"X-Api-Key": API_KEY}).status_code == 204
    assert client.post("/test_endpoint_1").status_code == 401
    assert client.post("/test_endpoint_1", headers={"X-Api-Key": "incorrect"}).status_code == 403


# --- FBI's unsafe token rules: off by default, a switch outside production --------------


FBI_TEST_CLAIMS = {"sub": "1234567890", "name": "John Doe", "iat": 1_516_239_022, "iss": INTERNAL}


def test_tokens_without_exp_or_aud_are_refused_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    client = TestClient(protected_app(load_fbi(monkeypatch, **DEV_ENV)))
    legacy = internal_token(**{**FBI_TEST_CLAIMS, "aud": None, "exp": None, "scope": "hello:world"})
    response = client.get("/scoped_endpoint", headers=bearer(legacy))
    assert response.status_code == 401
    assert "missing the 'exp' claim" in response.json()["detail"]


def test_legacy_switch_restores_fbis_token_rules(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fbi = load_fbi(monkeypatch, **DEV_ENV, VELOX_FBI_LEGACY_TOKENS="true")
    client = TestClient(protected_app(fbi))
    legacy = internal_token(**{**FBI_TEST_CLAIMS, "aud": None, "exp": None, "scope": "hello:world"})
    assert client.get("/scoped_endpoint", headers=bearer(legacy)).status_code == 200
    wrong_aud = internal_token(scope="hello:world", aud="https://elsewhere/")
    refused = client.get("/scoped_endpoint", headers=bearer(wrong_aud))
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "Could not validate credentials"},
    )
    expired = internal_token(scope="hello:world", exp=1, iat=0)
    assert client.get("/scoped_endpoint", headers=bearer(expired)).status_code == 403
    assert client.get("/scoped_endpoint").status_code == 401  # no token is still 401, as in FBI


@pytest.mark.parametrize("switch", ["VELOX_FBI_LEGACY_TOKENS", "IGNORE_JWT_VALIDATION"])
@pytest.mark.parametrize("environment", ["PRODUCTION", "UAT", "development"])
def test_switches_are_refused_in_production(
    monkeypatch: pytest.MonkeyPatch, switch: str, environment: str
) -> None:
    from veloxapi.batteries.settings import ConfigurationError

    with pytest.raises(ConfigurationError, match=f"{switch} cannot be true"):
        load_fbi(monkeypatch, **{**DEV_ENV, "ENVIRONMENT": environment, switch: "true"})
