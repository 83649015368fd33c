"""OAuth2 bearer-token schemes, the password-flow login form, and required scopes."""

from typing import Annotated, Any

from starlette.requests import HTTPConnection

from veloxapi.openapi.models import OAuth2 as OAuth2Model
from veloxapi.openapi.models import OAuthFlows as OAuthFlowsModel
from veloxapi.params import Form
from veloxapi.security._scheme import CredentialScheme
from veloxapi.security.utils import get_authorization_scheme_param


class OAuth2PasswordRequestForm:
    """The form of the OAuth2 password flow's token request (RFC 6749 §4.3.2).

    Use it as a class dependency: ``form: OAuth2PasswordRequestForm = Depends()``.
    ``scope`` is a space-separated string; the instance exposes it split, as
    ``scopes``. ``grant_type`` may be omitted; when sent it must be ``password``
    (:class:`OAuth2PasswordRequestFormStrict` requires it).
    """

    def __init__(
        self,
        *,
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
        username: Annotated[str, Form()],
        password: Annotated[str, Form(json_schema_extra={"format": "password"})],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form(json_schema_extra={"format": "password"})] = None,
    ) -> None:
        self.grant_type = grant_type
        self.username = username
        self.password = password
        self.scopes = scope.split()
        self.client_id = client_id
        self.client_secret = client_secret


class OAuth2PasswordRequestFormStrict(OAuth2PasswordRequestForm):
    """:class:`OAuth2PasswordRequestForm` with ``grant_type=password`` required, as the RFC says."""

    def __init__(
        self,
        *,
        grant_type: Annotated[str, Form(pattern="^password$")],
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form()] = None,
    ) -> None:
        super().__init__(
            grant_type=grant_type,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
        )


class OAuth2(CredentialScheme):
    """An OAuth2 scheme with any ``flows``; the dependency returns the raw ``Authorization`` value.

    A missing header raises 401 (``WWW-Authenticate: Bearer``), or gives ``None``
    with ``auto_error=False``. Subclasses return the bearer token itself.
    """

    _challenge = "Bearer"

    def __init__(
        self,
        *,
        flows: OAuthFlowsModel | dict[str, dict[str, Any]] = OAuthFlowsModel(),
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.model = OAuth2Model(
            flows=OAuthFlowsModel.model_validate(flows), description=description
        )
        self._name_scheme(scheme_name, auto_error)

    def _bearer_token(self, request: HTTPConnection) -> str | None:
        """The token of a ``Bearer`` header, else the 401 rule.

        ``Authorization: Bearer`` with an empty token gives ``""``: the client did
        send the scheme, so the dependency decides (FastAPI's behaviour, which
        libraries rely on to answer with their own 401).
        """
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        if scheme.lower() == "bearer":
            return token
        self._raise_if_required()
        return None

    async def __call__(self, request: HTTPConnection) -> str | None:
        return self._authorization(request)


class OAuth2PasswordBearer(OAuth2):
    """OAuth2 password flow: clients get a token at ``tokenUrl``; returns the bearer token."""

    def __init__(
        self,
        tokenUrl: str,
        scheme_name: str | None = None,
        scopes: dict[str, str] | None = None,
        description: str | None = None,
        auto_error: bool = True,
        refreshUrl: str | None = None,
    ) -> None:
        flow = {"tokenUrl": tokenUrl, "refreshUrl": refreshUrl, "scopes": scopes or {}}
        super().__init__(
            flows=OAuthFlowsModel.model_validate({"password": flow}),
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )

    async def __call__(self, request: HTTPConnection) -> str | None:
        return self._bearer_token(request)


class OAuth2AuthorizationCodeBearer(OAuth2):
    """OAuth2 authorization-code flow; returns the bearer token."""

    def __init__(
        self,
        authorizationUrl: str,
        tokenUrl: str,
        refreshUrl: str | None = None,
        scheme_name: str | None = None,
        scopes: dict[str, str] | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        flow = {
            "authorizationUrl": authorizationUrl,
            "tokenUrl": tokenUrl,
            "refreshUrl": refreshUrl,
            "scopes": scopes or {},
        }
        super().__init__(
            flows=OAuthFlowsModel.model_validate({"authorizationCode": flow}),
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )

    async def __call__(self, request: HTTPConnection) -> str | None:
        return self._bearer_token(request)


class SecurityScopes:
    """The OAuth2 scopes required by the dependants of a dependency.

    Declare a parameter of this type in a dependency used through
    ``Security(..., scopes=[...])``; the engine fills ``scopes`` with every scope
    required along the path from the endpoint down to that dependency.
    """

    def __init__(self, scopes: list[str] | None = None) -> None:
        self.scopes: list[str] = list(scopes or [])
        self.scope_str: str = " ".join(self.scopes)


__all__ = [
    "OAuth2",
    "OAuth2AuthorizationCodeBearer",
    "OAuth2PasswordBearer",
    "OAuth2PasswordRequestForm",
    "OAuth2PasswordRequestFormStrict",
    "SecurityScopes",
]
