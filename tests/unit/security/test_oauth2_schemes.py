from __future__ import annotations

import asyncio
import inspect
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ValidationError, create_model

from veloxapi import Depends, FastAPI
from veloxapi.exceptions import HTTPException
from veloxapi.openapi.models import OAuthFlowPassword, OAuthFlows
from veloxapi.params import Form
from veloxapi.security import (
    OAuth2,
    OAuth2AuthorizationCodeBearer,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
    OAuth2PasswordRequestFormStrict,
    OpenIdConnect,
    SecurityScopes,
)
from veloxapi.security.base import SecurityBase
from veloxapi.security.utils import get_authorization_scheme_param
from veloxapi.testclient import TestClient


def dump(scheme: SecurityBase) -> dict[str, Any]:
    return scheme.model.model_dump(mode="json", by_alias=True, exclude_none=True)


def bearer_error(scheme, request) -> HTTPException:
    with pytest.raises(HTTPException) as exc_info:
        asyncio.run(scheme(request))
    error = exc_info.value
    assert (error.status_code, error.detail) == (401, "Not authenticated")
    assert error.headers == {"WWW-Authenticate": "Bearer"}
    return error


PASSWORD_FLOWS = {
    "password": {
        "tokenUrl": "token",
        "scopes": {"read:users": "Read the users", "write:users": "Create users"},
    }
}


# --- OAuth2 and OpenIdConnect: the raw Authorization value -----------------


@pytest.mark.parametrize("value", ["Bearer footokenbar", "Other footokenbar"])
def test_oauth2_returns_the_whole_authorization_header(value, make_request):
    scheme = OAuth2(flows=PASSWORD_FLOWS)
    assert asyncio.run(scheme(make_request(headers={"Authorization": value}))) == value


def test_oauth2_missing_header(make_request):
    bearer_error(OAuth2(flows=PASSWORD_FLOWS), make_request())
    assert asyncio.run(OAuth2(auto_error=False)(make_request())) is None


def test_oauth2_model_from_a_flows_dict():
    assert dump(OAuth2(flows=PASSWORD_FLOWS)) == {
        "type": "oauth2",
        "flows": {
            "password": {
                "scopes": {"read:users": "Read the users", "write:users": "Create users"},
                "tokenUrl": "token",
            }
        },
    }


def test_oauth2_accepts_a_flows_model():
    flows = OAuthFlows(password=OAuthFlowPassword(tokenUrl="/token"))
    assert dump(OAuth2(flows=flows, description="d")) == {
        "type": "oauth2",
        "flows": {"password": {"scopes": {}, "tokenUrl": "/token"}},
        "description": "d",
    }


@pytest.mark.parametrize("value", ["Bearer footokenbar", "Other footokenbar"])
def test_open_id_connect_returns_the_whole_authorization_header(value, make_request):
    scheme = OpenIdConnect(openIdConnectUrl="/openid")
    assert asyncio.run(scheme(make_request(headers={"Authorization": value}))) == value


def test_open_id_connect_missing_header_and_model(make_request):
    scheme = OpenIdConnect(openIdConnectUrl="/openid", description="OpenIdConnect security scheme")
    bearer_error(scheme, make_request())
    assert (
        asyncio.run(OpenIdConnect(openIdConnectUrl="/o", auto_error=False)(make_request())) is None
    )
    assert scheme.scheme_name == "OpenIdConnect"
    assert dump(scheme) == {
        "type": "openIdConnect",
        "openIdConnectUrl": "/openid",
        "description": "OpenIdConnect security scheme",
    }


# --- Bearer-token flows -----------------------------------------------------


@pytest.mark.parametrize(
    "scheme",
    [
        OAuth2PasswordBearer(tokenUrl="/token"),
        OAuth2AuthorizationCodeBearer(authorizationUrl="authorize", tokenUrl="token"),
    ],
    ids=["password", "authorization-code"],
)
def test_bearer_flows_return_the_token(scheme, make_request):
    request = make_request(headers={"Authorization": "Bearer testtoken"})
    assert asyncio.run(scheme(request)) == "testtoken"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Non-existent testtoken"}, {"Authorization": ""}]
)
@pytest.mark.parametrize(
    "scheme_class",
    [
        lambda **kw: OAuth2PasswordBearer(tokenUrl="/token", **kw),
        lambda **kw: OAuth2AuthorizationCodeBearer(
            authorizationUrl="authorize", tokenUrl="token", **kw
        ),
    ],
    ids=["password", "authorization-code"],
)
def test_bearer_flows_reject_missing_or_other_schemes(scheme_class, headers, make_request):
    bearer_error(scheme_class(), make_request(headers=headers))
    assert asyncio.run(scheme_class(auto_error=False)(make_request(headers=headers))) is None


@pytest.mark.parametrize("value", ["Bearer ", "Bearer", "bearer   "])
@pytest.mark.parametrize("auto_error", [True, False])
@pytest.mark.parametrize(
    "scheme_class",
    [
        lambda **kw: OAuth2PasswordBearer(tokenUrl="/token", **kw),
        lambda **kw: OAuth2AuthorizationCodeBearer(
            authorizationUrl="authorize", tokenUrl="token", **kw
        ),
    ],
    ids=["password", "authorization-code"],
)
def test_bearer_flows_give_an_empty_token_to_the_dependency(
    scheme_class, auto_error, value, make_request
):
    request = make_request(headers={"Authorization": value})
    assert asyncio.run(scheme_class(auto_error=auto_error)(request)) == ""


LOGIN_SCHEME = OAuth2PasswordBearer(tokenUrl="/token")


def test_empty_bearer_token_reaches_the_route_which_answers_its_own_401():
    app = FastAPI()

    @app.get("/me")
    def me(token: Annotated[str, Depends(LOGIN_SCHEME)]) -> dict[str, str]:
        if not token:
            raise HTTPException(401, "Empty bearer token", {"WWW-Authenticate": "Bearer"})
        return {"token": token}

    client = TestClient(app)
    empty = client.get("/me", headers={"Authorization": "Bearer "})
    assert (empty.status_code, empty.json()) == (401, {"detail": "Empty bearer token"})
    assert client.get("/me", headers={"Authorization": "Bearer t"}).json() == {"token": "t"}
    missing = client.get("/me")
    assert (missing.status_code, missing.json()) == (401, {"detail": "Not authenticated"})


def test_bearer_flow_reads_websocket_connections(make_websocket):
    scheme = OAuth2PasswordBearer(tokenUrl="/token")
    assert asyncio.run(scheme(make_websocket(headers={"Authorization": "Bearer s"}))) == "s"


def test_password_bearer_model():
    scheme = OAuth2PasswordBearer(
        tokenUrl="/token", description="OAuth2PasswordBearer security scheme"
    )
    assert scheme.scheme_name == "OAuth2PasswordBearer"
    assert dump(scheme) == {
        "type": "oauth2",
        "flows": {"password": {"scopes": {}, "tokenUrl": "/token"}},
        "description": "OAuth2PasswordBearer security scheme",
    }
    with_refresh = OAuth2PasswordBearer(
        tokenUrl="token", scopes={"me": "Read me"}, refreshUrl="refresh"
    )
    assert dump(with_refresh)["flows"] == {
        "password": {"tokenUrl": "token", "refreshUrl": "refresh", "scopes": {"me": "Read me"}}
    }


def test_authorization_code_bearer_model():
    scheme = OAuth2AuthorizationCodeBearer(
        authorizationUrl="authorize",
        tokenUrl="token",
        scopes={"read": "Read access", "write": "Write access"},
        description="OAuth2 Code Bearer",
    )
    assert dump(scheme) == {
        "type": "oauth2",
        "flows": {
            "authorizationCode": {
                "authorizationUrl": "authorize",
                "tokenUrl": "token",
                "scopes": {"read": "Read access", "write": "Write access"},
            }
        },
        "description": "OAuth2 Code Bearer",
    }


# --- SecurityScopes and the Authorization header parser -------------------


def test_security_scopes():
    scopes = SecurityScopes(scopes=["items", "me"])
    assert (scopes.scopes, scopes.scope_str) == (["items", "me"], "items me")
    empty = SecurityScopes()
    assert (empty.scopes, empty.scope_str) == ([], "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("", "")),
        ("", ("", "")),
        ("Bearer abc", ("Bearer", "abc")),
        ("Bearer   abc  ", ("Bearer", "abc")),
        ("  Bearer abc", ("", "Bearer abc")),  # split as given: the scheme is empty
        ("bearer a b", ("bearer", "a b")),
        ("Bearer", ("Bearer", "")),
    ],
)
def test_get_authorization_scheme_param(value, expected):
    assert get_authorization_scheme_param(value) == expected


# --- The password-flow login form ------------------------------------------


def form_model(form_class: type) -> type[BaseModel]:
    """The body model a route engine builds from the form class's declared parameters."""
    parameters = list(inspect.signature(form_class).parameters.values())
    fields: dict[str, Any] = {
        p.name: (p.annotation, ... if p.default is inspect.Parameter.empty else p.default)
        for p in parameters
    }
    return create_model("Body_login", **fields)


def test_form_parameters_are_form_fields():
    for form_class in (OAuth2PasswordRequestForm, OAuth2PasswordRequestFormStrict):
        for parameter in inspect.signature(form_class).parameters.values():
            metadata = parameter.annotation.__metadata__
            assert any(isinstance(item, Form) for item in metadata), parameter.name


def test_form_schema_matches_the_documented_body():
    schema = form_model(OAuth2PasswordRequestForm).model_json_schema()
    properties = schema["properties"]
    assert schema["required"] == ["username", "password"]
    assert list(properties) == [
        "grant_type",
        "username",
        "password",
        "scope",
        "client_id",
        "client_secret",
    ]
    assert properties["grant_type"]["anyOf"] == [
        {"pattern": "^password$", "type": "string"},
        {"type": "null"},
    ]
    assert properties["password"] == {"title": "Password", "type": "string", "format": "password"}
    assert properties["scope"] == {"title": "Scope", "type": "string", "default": ""}
    assert properties["client_secret"]["format"] == "password"


def test_strict_form_schema_requires_grant_type():
    schema = form_model(OAuth2PasswordRequestFormStrict).model_json_schema()
    assert schema["required"] == ["grant_type", "username", "password"]
    assert schema["properties"]["grant_type"] == {
        "title": "Grant Type",
        "pattern": "^password$",
        "type": "string",
    }
    assert schema["properties"]["password"] == {"title": "Password", "type": "string"}


@pytest.mark.parametrize("grant_type", ["incorrect", "passwordblah", "blahpassword"])
def test_strict_form_rejects_other_grant_types(grant_type):
    model = form_model(OAuth2PasswordRequestFormStrict)
    with pytest.raises(ValidationError) as exc_info:
        model(grant_type=grant_type, username="johndoe", password="secret")
    (error,) = exc_info.value.errors()
    assert error["type"] == "string_pattern_mismatch"
    assert error["msg"] == "String should match pattern '^password$'"


def test_form_instance_splits_scopes():
    form = OAuth2PasswordRequestForm(username="johndoe", password="secret", scope="items me")
    assert vars(form) == {
        "grant_type": None,
        "username": "johndoe",
        "password": "secret",
        "scopes": ["items", "me"],
        "client_id": None,
        "client_secret": None,
    }


def test_strict_form_instance_attributes():
    form = OAuth2PasswordRequestFormStrict(
        grant_type="password", username="johndoe", password="secret"
    )
    assert vars(form) == {
        "grant_type": "password",
        "username": "johndoe",
        "password": "secret",
        "scopes": [],
        "client_id": None,
        "client_secret": None,
    }


def test_custom_scheme_reading_the_token_from_a_cookie(make_request):
    """The common recipe: subclass OAuth2, build the flows model, read a cookie."""

    class OAuth2PasswordBearerWithCookie(OAuth2):
        def __init__(self, tokenUrl: str, auto_error: bool = True) -> None:
            flows = OAuthFlows(password={"tokenUrl": tokenUrl, "scopes": {}})
            super().__init__(flows=flows, auto_error=auto_error)

        async def __call__(self, request) -> str | None:
            scheme, token = get_authorization_scheme_param(request.cookies.get("access_token"))
            if scheme.lower() != "bearer":
                if self.auto_error:
                    raise self.make_not_authenticated_error()
                return None
            return token

    scheme = OAuth2PasswordBearerWithCookie(tokenUrl="/login")
    request = make_request(headers={"Cookie": 'access_token="Bearer abc"'})
    assert asyncio.run(scheme(request)) == "abc"
    bearer_error(scheme, make_request())
    assert scheme.scheme_name == "OAuth2PasswordBearerWithCookie"
    assert dump(scheme)["flows"] == {"password": {"tokenUrl": "/login", "scopes": {}}}
