"""OpenID Connect discovery as an OpenAPI security scheme."""

from starlette.requests import HTTPConnection

from veloxapi.openapi.models import OpenIdConnect as OpenIdConnectModel
from veloxapi.security._scheme import CredentialScheme


class OpenIdConnect(CredentialScheme):
    """OpenID Connect, documented by its discovery URL; returns the raw ``Authorization`` value.

    Validating the token (e.g. against the provider's JWKS) is up to the caller.
    A missing header raises 401 (``WWW-Authenticate: Bearer``), or gives ``None``
    with ``auto_error=False``.
    """

    _challenge = "Bearer"

    def __init__(
        self,
        *,
        openIdConnectUrl: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.model = OpenIdConnectModel(openIdConnectUrl=openIdConnectUrl, description=description)
        self._name_scheme(scheme_name, auto_error)

    async def __call__(self, request: HTTPConnection) -> str | None:
        return self._authorization(request)


__all__ = ["OpenIdConnect"]
