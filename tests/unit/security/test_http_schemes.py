from __future__ import annotations

import asyncio
from base64 import b64encode

import pytest
from starlette.requests import HTTPConnection

from veloxapi.exceptions import HTTPException
from veloxapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
    HTTPDigest,
)
from veloxapi.security.http import HTTPBase


def basic(payload: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + b64encode(payload).decode("ascii")}


def raised(scheme, request) -> HTTPException:
    with pytest.raises(HTTPException) as exc_info:
        asyncio.run(scheme(request))
    assert exc_info.value.detail == "Not authenticated"
    return exc_info.value


# --- HTTPBase ---------------------------------------------------------------


def test_base_returns_scheme_and_credentials(make_request):
    scheme = HTTPBase(scheme="Other")
    result = asyncio.run(scheme(make_request(headers={"Authorization": "Other foobar"})))
    assert result == HTTPAuthorizationCredentials(scheme="Other", credentials="foobar")


def test_base_trims_whitespace_around_credentials(make_request):
    scheme = HTTPBase(scheme="Other")
    result = asyncio.run(scheme(make_request(headers={"Authorization": "Other  foobar "})))
    assert result is not None
    assert (result.scheme, result.credentials) == ("Other", "foobar")


def test_base_missing_header_is_401_challenging_its_scheme(make_request):
    error = raised(HTTPBase(scheme="Other"), make_request())
    assert error.status_code == 401
    assert error.headers == {"WWW-Authenticate": "Other"}


def test_base_without_auto_error_gives_none(make_request):
    assert asyncio.run(HTTPBase(scheme="Other", auto_error=False)(make_request())) is None


def test_base_works_on_websocket_connections(make_websocket):
    scheme = HTTPBase(scheme="Other")
    result = asyncio.run(scheme(make_websocket(headers={"Authorization": "Other secret"})))
    assert result is not None
    assert result.model_dump() == {"scheme": "Other", "credentials": "secret"}


# --- HTTPBasic --------------------------------------------------------------


def test_basic_decodes_user_and_password(make_request):
    result = asyncio.run(HTTPBasic()(make_request(headers=basic(b"john:secret"))))
    assert result == HTTPBasicCredentials(username="john", password="secret")


def test_basic_password_may_contain_colons(make_request):
    result = asyncio.run(HTTPBasic()(make_request(headers=basic(b"john:se:cr:et"))))
    assert result == HTTPBasicCredentials(username="john", password="se:cr:et")


def test_basic_accepts_utf8_user_names(make_request):
    result = asyncio.run(HTTPBasic()(make_request(headers=basic("jürgen:pw".encode()))))
    assert result is not None
    assert result.username == "jürgen"


def test_basic_missing_header_is_401(make_request):
    error = raised(HTTPBasic(), make_request())
    assert (error.status_code, error.headers) == (401, {"WWW-Authenticate": "Basic"})


def test_basic_challenge_names_the_realm(make_request):
    error = raised(HTTPBasic(realm="simple"), make_request())
    assert error.headers == {"WWW-Authenticate": 'Basic realm="simple"'}


@pytest.mark.parametrize("auto_error", [True, False])
@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Basic notabase64token"},
        basic(b"johnsecret"),
        {"Authorization": "Basic " + b64encode(b"\xff\xfe:x").decode("ascii")},
        {"Authorization": "Basic "},
    ],
    ids=["not-base64", "no-colon", "not-utf8", "empty"],
)
def test_basic_malformed_payload_is_401_even_without_auto_error(headers, auto_error, make_request):
    error = raised(HTTPBasic(realm="simple", auto_error=auto_error), make_request(headers=headers))
    assert error.status_code == 401
    assert error.headers == {"WWW-Authenticate": 'Basic realm="simple"'}


def test_basic_other_scheme_is_401(make_request):
    error = raised(HTTPBasic(), make_request(headers={"Authorization": "Bearer abc"}))
    assert error.status_code == 401


def test_basic_without_auto_error_ignores_missing_or_other_schemes(make_request):
    scheme = HTTPBasic(auto_error=False)
    assert asyncio.run(scheme(make_request())) is None
    assert asyncio.run(scheme(make_request(headers={"Authorization": "Bearer abc"}))) is None


# --- HTTPBearer and HTTPDigest ---------------------------------------------


def test_bearer_returns_the_token(make_request):
    result = asyncio.run(HTTPBearer()(make_request(headers={"Authorization": "Bearer foobar"})))
    assert result == HTTPAuthorizationCredentials(scheme="Bearer", credentials="foobar")


def test_bearer_scheme_is_case_insensitive(make_request):
    result = asyncio.run(HTTPBearer()(make_request(headers={"Authorization": "bearer foobar"})))
    assert result is not None
    assert result.credentials == "foobar"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Basic notreally"}, {"Authorization": "Bearer"}]
)
def test_bearer_missing_or_other_scheme_is_401(headers, make_request):
    error = raised(HTTPBearer(), make_request(headers=headers))
    assert (error.status_code, error.headers) == (401, {"WWW-Authenticate": "Bearer"})


def test_bearer_without_auto_error_gives_none(make_request):
    scheme = HTTPBearer(auto_error=False)
    assert asyncio.run(scheme(make_request())) is None
    assert asyncio.run(scheme(make_request(headers={"Authorization": "Basic notreally"}))) is None


def test_digest_returns_credentials_and_rejects_other_schemes(make_request):
    scheme = HTTPDigest()
    result = asyncio.run(scheme(make_request(headers={"Authorization": "Digest foobar"})))
    assert result == HTTPAuthorizationCredentials(scheme="Digest", credentials="foobar")
    error = raised(scheme, make_request(headers={"Authorization": "Other invalid"}))
    assert (error.status_code, error.headers) == (401, {"WWW-Authenticate": "Digest"})
    optional = HTTPDigest(auto_error=False)
    assert asyncio.run(optional(make_request(headers={"Authorization": "Other x"}))) is None


# --- OpenAPI models and extension points -----------------------------------


@pytest.mark.parametrize(
    ("scheme", "name", "expected"),
    [
        (HTTPBase(scheme="Other"), "HTTPBase", {"type": "http", "scheme": "Other"}),
        (HTTPBasic(realm="simple"), "HTTPBasic", {"type": "http", "scheme": "basic"}),
        (HTTPBearer(), "HTTPBearer", {"type": "http", "scheme": "bearer"}),
        (HTTPDigest(), "HTTPDigest", {"type": "http", "scheme": "digest"}),
        (
            HTTPBearer(bearerFormat="JWT", description="JWT access token"),
            "HTTPBearer",
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "JWT access token",
            },
        ),
        (
            HTTPBasic(description="HTTPBasic scheme", scheme_name="staffLogin"),
            "staffLogin",
            {"type": "http", "scheme": "basic", "description": "HTTPBasic scheme"},
        ),
    ],
)
def test_openapi_model(scheme, name, expected):
    assert scheme.scheme_name == name
    assert scheme.model.model_dump(mode="json", by_alias=True, exclude_none=True) == expected


def test_subclass_may_call_super_with_request_keyword(make_request):
    class CustomHTTPBearer(HTTPBearer):
        async def __call__(self, request: HTTPConnection) -> HTTPAuthorizationCredentials | None:
            return await super().__call__(request=request)

    result = asyncio.run(
        CustomHTTPBearer()(make_request(headers={"Authorization": "Bearer foobar"}))
    )
    assert result is not None
    assert result.model_dump() == {"scheme": "Bearer", "credentials": "foobar"}


def test_not_authenticated_error_can_answer_403(make_request):
    class HTTPBearer403(HTTPBearer):
        def make_not_authenticated_error(self) -> HTTPException:
            return HTTPException(status_code=403, detail="Not authenticated")

    error = raised(HTTPBearer403(), make_request())
    assert error.status_code == 403
