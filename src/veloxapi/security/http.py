"""HTTP authentication schemes read from the ``Authorization`` header (RFC 7235)."""

import binascii
from base64 import b64decode

from pydantic import BaseModel
from starlette.requests import HTTPConnection

from veloxapi.exceptions import HTTPException
from veloxapi.openapi.models import HTTPBase as HTTPBaseModel
from veloxapi.openapi.models import HTTPBearer as HTTPBearerModel
from veloxapi.security._errors import not_authenticated
from veloxapi.security._scheme import CredentialScheme
from veloxapi.security.utils import get_authorization_scheme_param


class HTTPBasicCredentials(BaseModel):
    """The user name and password of an HTTP Basic ``Authorization`` header."""

    username: str
    password: str


class HTTPAuthorizationCredentials(BaseModel):
    """An ``Authorization`` header split into its scheme and credentials."""

    scheme: str
    credentials: str


class HTTPBase(CredentialScheme):
    """Any HTTP authentication scheme: returns the header's scheme and credentials.

    A missing header (or one without credentials) raises 401 with
    ``WWW-Authenticate: <Scheme>``, or gives ``None`` with ``auto_error=False``.
    The scheme written in the header is not checked; the subclasses check theirs.
    """

    def __init__(
        self,
        *,
        scheme: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.model: HTTPBaseModel = HTTPBaseModel(scheme=scheme, description=description)
        self._name_scheme(scheme_name, auto_error)

    def make_not_authenticated_error(self) -> HTTPException:
        """The error for missing or unusable credentials; override to answer differently."""
        scheme = self.model.scheme
        return not_authenticated(scheme[:1].upper() + scheme[1:])

    def _credentials(
        self, request: HTTPConnection, *, any_scheme: bool = False
    ) -> HTTPAuthorizationCredentials | None:
        """The header's credentials (of this scheme unless ``any_scheme``), else the 401 rule."""
        scheme, credentials = get_authorization_scheme_param(request.headers.get("Authorization"))
        if scheme and credentials and (any_scheme or scheme.lower() == self.model.scheme.lower()):
            return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)
        self._raise_if_required()
        return None

    async def __call__(self, request: HTTPConnection) -> HTTPAuthorizationCredentials | None:
        return self._credentials(request, any_scheme=True)


class HTTPBasic(HTTPBase):
    """HTTP Basic: returns the decoded :class:`HTTPBasicCredentials`.

    ``realm`` goes into the challenge: ``WWW-Authenticate: Basic realm="..."``.
    A Basic header whose payload is not base64 of ``user:password`` (an empty one
    included) is always answered with 401, even with ``auto_error=False``: the
    client tried and failed.
    """

    def __init__(
        self,
        *,
        scheme_name: str | None = None,
        realm: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            scheme="basic", scheme_name=scheme_name, description=description, auto_error=auto_error
        )
        self.realm = realm

    def make_not_authenticated_error(self) -> HTTPException:
        if self.realm:
            return not_authenticated(f'Basic realm="{self.realm}"')
        return not_authenticated("Basic")

    def _decode(self, encoded: str) -> HTTPBasicCredentials:
        try:
            decoded = b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise self.make_not_authenticated_error() from None
        username, separator, password = decoded.partition(":")
        if not separator:
            raise self.make_not_authenticated_error()
        return HTTPBasicCredentials(username=username, password=password)

    async def __call__(  # type: ignore[override]
        self, request: HTTPConnection
    ) -> HTTPBasicCredentials | None:
        scheme, encoded = get_authorization_scheme_param(request.headers.get("Authorization"))
        if scheme.lower() != "basic":
            self._raise_if_required()
            return None
        return self._decode(encoded)  # "Basic" with nothing after it is a failed try too


class HTTPBearer(HTTPBase):
    """HTTP Bearer: returns the token as :class:`HTTPAuthorizationCredentials`.

    A missing header or another scheme raises 401 (``WWW-Authenticate: Bearer``),
    or gives ``None`` with ``auto_error=False``. ``bearerFormat`` (e.g. ``"JWT"``)
    only documents the token in OpenAPI.
    """

    def __init__(
        self,
        *,
        bearerFormat: str | None = None,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            scheme="bearer", scheme_name=scheme_name, description=description, auto_error=auto_error
        )
        self.model = HTTPBearerModel(bearerFormat=bearerFormat, description=description)

    async def __call__(self, request: HTTPConnection) -> HTTPAuthorizationCredentials | None:
        return self._credentials(request)


class HTTPDigest(HTTPBase):
    """HTTP Digest: returns the header's credentials; verifying them is up to you."""

    def __init__(
        self,
        *,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            scheme="digest", scheme_name=scheme_name, description=description, auto_error=auto_error
        )

    async def __call__(self, request: HTTPConnection) -> HTTPAuthorizationCredentials | None:
        return self._credentials(request)


__all__ = [
    "HTTPAuthorizationCredentials",
    "HTTPBase",
    "HTTPBasic",
    "HTTPBasicCredentials",
    "HTTPBearer",
    "HTTPDigest",
]
