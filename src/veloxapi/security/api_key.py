"""API keys sent in a query parameter, a header or a cookie."""

from collections.abc import Callable

from starlette.requests import HTTPConnection

from veloxapi.exceptions import HTTPException
from veloxapi.openapi.models import APIKey, APIKeyIn
from veloxapi.security._errors import not_authenticated
from veloxapi.security.base import SecurityBase

_READERS: dict[APIKeyIn, Callable[[HTTPConnection, str], str | None]] = {
    APIKeyIn.query: lambda connection, name: connection.query_params.get(name),
    APIKeyIn.header: lambda connection, name: connection.headers.get(name),
    APIKeyIn.cookie: lambda connection, name: connection.cookies.get(name),
}


class APIKeyBase(SecurityBase):
    """An API key named ``name`` at one location; the dependency returns its value.

    A missing or empty key raises 401 (``WWW-Authenticate: APIKey``), or gives
    ``None`` with ``auto_error=False``.
    """

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
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error
        self.name = name
        self._read = _READERS[location]

    def make_not_authenticated_error(self) -> HTTPException:
        """The error for a missing key; override to answer differently."""
        return not_authenticated("APIKey")

    async def __call__(self, request: HTTPConnection) -> str | None:
        api_key = self._read(request, self.name)
        if api_key:
            return api_key
        if self.auto_error:
            raise self.make_not_authenticated_error()
        return None


class APIKeyQuery(APIKeyBase):
    """An API key in the query parameter ``name``: ``/items?api_key=...``."""

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            location=APIKeyIn.query,
            name=name,
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )


class APIKeyHeader(APIKeyBase):
    """An API key in the header ``name``: ``X-API-Key: ...``."""

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            location=APIKeyIn.header,
            name=name,
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )


class APIKeyCookie(APIKeyBase):
    """An API key in the cookie ``name``."""

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            location=APIKeyIn.cookie,
            name=name,
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )


__all__ = ["APIKeyBase", "APIKeyCookie", "APIKeyHeader", "APIKeyQuery"]
