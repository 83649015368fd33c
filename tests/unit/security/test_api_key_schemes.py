from __future__ import annotations

import asyncio
from typing import Any

import pytest

from veloxapi.exceptions import HTTPException
from veloxapi.security import APIKeyCookie, APIKeyHeader, APIKeyQuery
from veloxapi.security.base import SecurityBase


def dump(scheme: SecurityBase) -> dict[str, Any]:
    return scheme.model.model_dump(mode="json", by_alias=True, exclude_none=True)


def test_query_key_is_returned(make_request):
    scheme = APIKeyQuery(name="key")
    assert asyncio.run(scheme(make_request(query_string="key=secret"))) == "secret"


def test_header_key_is_returned_whatever_the_header_case(make_request):
    scheme = APIKeyHeader(name="X-API-Key")
    assert asyncio.run(scheme(make_request(headers={"x-api-key": "secret"}))) == "secret"


def test_cookie_key_is_returned(make_request):
    scheme = APIKeyCookie(name="key")
    request = make_request(headers={"Cookie": "other=1; key=secret"})
    assert asyncio.run(scheme(request)) == "secret"


@pytest.mark.parametrize(
    "scheme",
    [APIKeyQuery(name="key"), APIKeyHeader(name="key"), APIKeyCookie(name="key")],
    ids=["query", "header", "cookie"],
)
def test_missing_key_is_401_with_apikey_challenge(scheme, make_request):
    with pytest.raises(HTTPException) as exc_info:
        asyncio.run(scheme(make_request()))
    assert exc_info.value.status_code == 401
    assert exc_info.value.detail == "Not authenticated"
    assert exc_info.value.headers == {"WWW-Authenticate": "APIKey"}


def test_empty_key_counts_as_missing(make_request):
    scheme = APIKeyQuery(name="key")
    with pytest.raises(HTTPException) as exc_info:
        asyncio.run(scheme(make_request(query_string="key=")))
    assert exc_info.value.status_code == 401


@pytest.mark.parametrize("scheme_class", [APIKeyQuery, APIKeyHeader, APIKeyCookie])
def test_missing_key_without_auto_error_gives_none(scheme_class, make_request):
    scheme = scheme_class(name="key", auto_error=False)
    assert asyncio.run(scheme(make_request())) is None


def test_key_is_read_from_a_websocket_connection(make_websocket):
    scheme = APIKeyHeader(name="key")
    assert asyncio.run(scheme(make_websocket(headers={"key": "secret"}))) == "secret"


@pytest.mark.parametrize(
    ("scheme_class", "location"),
    [(APIKeyQuery, "query"), (APIKeyHeader, "header"), (APIKeyCookie, "cookie")],
)
def test_openapi_model_and_default_scheme_name(scheme_class, location):
    scheme = scheme_class(name="key")
    assert scheme.scheme_name == scheme_class.__name__
    assert dump(scheme) == {"type": "apiKey", "name": "key", "in": location}


def test_description_and_custom_scheme_name():
    scheme = APIKeyQuery(name="key", description="API Key Query", scheme_name="partnerKey")
    assert scheme.scheme_name == "partnerKey"
    assert dump(scheme) == {
        "type": "apiKey",
        "name": "key",
        "in": "query",
        "description": "API Key Query",
    }


def test_not_authenticated_error_can_be_overridden(make_request):
    class ForbiddenWithoutKey(APIKeyHeader):
        def make_not_authenticated_error(self) -> HTTPException:
            return HTTPException(status_code=403, detail="Not authenticated")

    with pytest.raises(HTTPException) as exc_info:
        asyncio.run(ForbiddenWithoutKey(name="key")(make_request()))
    assert exc_info.value.status_code == 403


def test_check_api_key_can_be_overridden_to_validate_keys(make_request):
    class KnownKeysOnly(APIKeyHeader):
        def check_api_key(self, api_key: str | None) -> str | None:
            key = super().check_api_key(api_key)
            if key != "s3cret":
                raise HTTPException(status_code=403, detail="Unknown key")
            return key

    scheme = KnownKeysOnly(name="X-Key")
    assert asyncio.run(scheme(make_request(headers={"X-Key": "s3cret"}))) == "s3cret"
    with pytest.raises(HTTPException) as exc_info:
        asyncio.run(scheme(make_request(headers={"X-Key": "other"})))
    assert (exc_info.value.status_code, exc_info.value.detail) == (403, "Unknown key")
    with pytest.raises(HTTPException) as exc_info:
        asyncio.run(scheme(make_request()))
    assert exc_info.value.status_code == 401
