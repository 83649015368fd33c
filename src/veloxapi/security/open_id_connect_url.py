"""OpenID Connect discovery as an OpenAPI security scheme."""

from starlette.requests import HTTPConnection

from veloxapi.exceptions import HTTPException
from veloxapi.openapi.models import OpenIdConnect as OpenIdConnectModel
from veloxapi.security._errors import not_authenticated
from veloxapi.security.base import SecurityBase


class OpenIdConnect(SecurityBase):
    """OpenID Connect, documented by its discovery URL; returns the raw ``Authorization`` value.

    Validating the token (e.g. against the provider's JWKS) is up to the caller.
    A missing header raises 401 (``WWW-Authenticate: Bearer``), or gives ``None``
    with ``auto_error=False``.
    """

    def __init__(
        self,
        *,
        openIdConnectUrl: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.model = OpenIdConnectModel(openIdConnectUrl=openIdConnectUrl, description=description)
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def make_not_authenticated_error(self) -> HTTPException:
        """The error for a missing header; override to answer differently."""
        return not_authenticated("Bearer")

    async def __call__(self, request: HTTPConnection) -> str | None:
        authorization = request.headers.get("Authorization")
        if authorization:
            return authorization
        if self.auto_error:
            raise self.make_not_authenticated_error()
        return None


__all__ = ["OpenIdConnect"]
