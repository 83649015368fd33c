"""The auth battery as route dependencies: bearer tokens, users, API keys.

Each class here is a security scheme (so it appears in the OpenAPI document)
and a dependency to use with ``Security(...)``; the scopes given to
``Security(..., scopes=[...])`` anywhere above it are required of the token
and listed in the document. Errors become HTTP answers: 401 with
``WWW-Authenticate: Bearer`` for missing or rejected tokens, 403 with
``error="insufficient_scope"`` for missing scopes, 503 when an issuer's keys
cannot be fetched.
"""

# No ``from __future__ import annotations`` here: the dependency engine reads these
# signatures at run time, and a callable instance's string annotations cannot be
# resolved against its module (FastAPI behaves the same).

from collections.abc import Awaitable, Callable, Sequence

from veloxapi import Security
from veloxapi.exceptions import HTTPException
from veloxapi.requests import HTTPConnection
from veloxapi.security import APIKeyHeader, HTTPBearer, OAuth2PasswordBearer, SecurityScopes

from .apikeys import APIKeyVerifier
from .bearer import authenticate, challenge_headers
from .errors import AuthError
from .users import DEFAULT_ID_CLAIMS, AuthenticatedUser, check_id_claims, user_from_token
from .validator import TokenValidator, ValidatedToken


def http_error(error: AuthError, required_scopes: Sequence[str] = ()) -> HTTPException:
    """The HTTP answer to ``error`` (status, safe detail, challenge headers)."""
    return HTTPException(
        error.status_code, detail=error.detail, headers=challenge_headers(error, required_scopes)
    )


async def _validated(
    validator: TokenValidator, request: HTTPConnection, security_scopes: SecurityScopes
) -> ValidatedToken:
    scopes = security_scopes.scopes
    try:
        return await authenticate(validator, request.headers.get("Authorization"), scopes)
    except AuthError as exc:
        raise http_error(exc, scopes) from None


class BearerTokenAuth(HTTPBearer):
    """``Authorization: Bearer <JWT>`` validated by ``validator``; gives a ValidatedToken."""

    def __init__(
        self,
        validator: TokenValidator,
        *,
        scheme_name: str | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(
            bearerFormat="JWT", scheme_name=scheme_name, description=description, auto_error=False
        )
        self.validator = validator

    async def __call__(  # type: ignore[override]  # the scheme needs the route's scopes too
        self, request: HTTPConnection, security_scopes: SecurityScopes
    ) -> ValidatedToken:
        return await _validated(self.validator, request, security_scopes)


class OAuth2PasswordTokenAuth(OAuth2PasswordBearer):
    """Like :class:`BearerTokenAuth`, documented as the OAuth2 password flow at ``token_url``.

    Use it with the built-in token endpoint, so the docs page can log in and
    lists the ``scopes`` (name to description) a client may ask for.
    """

    def __init__(
        self,
        validator: TokenValidator,
        token_url: str,
        *,
        scopes: dict[str, str] | None = None,
        scheme_name: str | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(
            tokenUrl=token_url,
            scopes=scopes,
            scheme_name=scheme_name,
            description=description,
            auto_error=False,
        )
        self.validator = validator

    async def __call__(  # type: ignore[override]  # the scheme needs the route's scopes too
        self, request: HTTPConnection, security_scopes: SecurityScopes
    ) -> ValidatedToken:
        return await _validated(self.validator, request, security_scopes)


TokenAuth = BearerTokenAuth | OAuth2PasswordTokenAuth


def current_user(
    auth: TokenAuth, *, id_claims: Sequence[str] = DEFAULT_ID_CLAIMS
) -> Callable[..., Awaitable[AuthenticatedUser]]:
    """A dependency giving the :class:`AuthenticatedUser` of a valid token.

    The id is the first of ``id_claims`` present in the token; scopes required
    with ``Security(current_user(auth), scopes=[...])`` are checked by ``auth``.
    """
    claims = check_id_claims(id_claims)

    async def user(token: ValidatedToken = Security(auth)) -> AuthenticatedUser:
        try:
            return user_from_token(token, claims)
        except AuthError as exc:
            raise http_error(exc) from None

    return user


class APIKeyAuth(APIKeyHeader):
    """An API key in header ``header`` (``X-API-Key`` by default), checked by ``verifier``.

    No key: 401 (``WWW-Authenticate: APIKey``); a key that is not accepted: 403.
    """

    def __init__(
        self,
        verifier: APIKeyVerifier,
        *,
        header: str = "X-API-Key",
        scheme_name: str | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(
            name=header, scheme_name=scheme_name, description=description, auto_error=False
        )
        self.header = header
        self.verifier = verifier

    async def __call__(self, request: HTTPConnection) -> None:
        presented = await super().__call__(request)
        if presented is None:
            raise self.make_not_authenticated_error()
        if not self.verifier.verify(presented):
            raise HTTPException(403, "Invalid API key")
