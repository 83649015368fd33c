"""API keys sent in a query parameter, a header or a cookie."""

from collections.abc import Callable
from typing import ClassVar

from starlette.requests import HTTPConnection

from veloxapi.openapi.models import APIKey, APIKeyIn
from veloxapi.security._scheme import CredentialScheme

_READERS: dict[APIKeyIn, Callable[[HTTPConnection, str], str | None]] = {
    APIKeyIn.query: lambda connection, name: connection.query_params.get(name),
    APIKeyIn.header: lambda connection, name: connection.headers.get(name),
    APIKeyIn.cookie: lambda connection, name: connection.cookies.get(name),
}


class APIKeyBase(CredentialScheme):
    """An API key named ``name`` at one location; the dependency returns its value.

    A missing or empty key raises 401 (``WWW-Authenticate: APIKey``), or gives
    ``None`` with ``auto_error=False``.
    """

    _challenge = "APIKey"

    def __init__(
        self,
        *,
        location: APIKeyIn,
        name: str,
        scheme_name: str | None,
        description: str | None,
        auto_error: bool,
    ) -> None:
        self.model = APIKey(in_=location, name=name, description=description)
        self._name_scheme(scheme_name, auto_error)
        self.name = name
        self._read = _READERS[location]

    def check_api_key(self, api_key: str | None) -> str | None:
        """The key to give the dependency; a missing or empty one follows the 401 rule.

        Override it to validate keys in the scheme itself.
        """
        if api_key:
            return api_key
        self._raise_if_required()
        return None

    async def __call__(self, request: HTTPConnection) -> str | None:
        return self.check_api_key(self._read(request, self.name))


class _APIKeyAt(APIKeyBase):
    """An API key at the fixed location ``_location`` of the subclass."""

    _location: ClassVar[APIKeyIn]

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            location=self._location,
            name=name,
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )


class APIKeyQuery(_APIKeyAt):
    """An API key in the query parameter ``name``: ``/items?api_key=...``."""

    _location = APIKeyIn.query


class APIKeyHeader(_APIKeyAt):
    """An API key in the header ``name``: ``X-API-Key: ...``."""

    _location = APIKeyIn.header


class APIKeyCookie(_APIKeyAt):
    """An API key in the cookie ``name``."""

    _location = APIKeyIn.cookie


__all__ = ["APIKeyBase", "APIKeyCookie", "APIKeyHeader", "APIKeyQuery"]
