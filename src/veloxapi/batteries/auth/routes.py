"""Route-level helpers: :func:`protected_route` and the password-flow token endpoint."""

# No ``from __future__ import annotations`` here: the dependency engine reads these
# signatures at run time, and a callable instance's string annotations cannot be
# resolved against its module (FastAPI behaves the same).

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from veloxapi import Depends, Security
from veloxapi.exceptions import HTTPException
from veloxapi.requests import Request
from veloxapi.responses import Response
from veloxapi.security import OAuth2PasswordRequestForm

from .checks import Check, CheckContext
from .dependencies import TokenAuth, http_error
from .errors import AuthError
from .guard import RouteGuard
from .tokens import TokenIssuer
from .validator import ValidatedToken


def protected_route(
    check: Check,
    *,
    auth: TokenAuth,
    allowed_issuers: Sequence[str] | None = None,
) -> Callable[..., Awaitable[ValidatedToken]]:
    """A dependency that lets a request through only if its token passes ``check``.

    The token must be valid (``auth``), come from one of ``allowed_issuers``
    when given (a name ``auth``'s validator does not trust is a configuration
    error), and pass ``check``; otherwise the answer is 403. Use it in
    ``dependencies=[Depends(protected_route(...))]`` or as a parameter to get
    the :class:`ValidatedToken`.
    """
    guard = RouteGuard(check, validator=auth.validator, allowed_issuers=allowed_issuers)

    async def guarded(request: Request, token: ValidatedToken = Security(auth)) -> ValidatedToken:
        ctx = CheckContext(
            token=token,
            deployment=guard.deployment,
            path_params=request.path_params,
            query_params=request.query_params,
            json_body=lambda: json_or_none(request),
        )
        try:
            await guard.authorize(ctx)
        except AuthError as exc:
            raise http_error(exc) from None
        return token

    return guarded


async def json_or_none(request: Request) -> object:
    """The request body parsed as JSON, or ``None`` if it is not JSON."""
    try:
        return await request.json()
    except ValueError:  # not JSON (or not UTF-8): no field can match
        return None


@dataclass(frozen=True)
class Grant:
    """Who logged in and what they may be granted: the answer of an ``authenticate`` function."""

    subject: str
    scopes: Sequence[str] = ()
    claims: Mapping[str, Any] = field(default_factory=dict)


class TokenResponse(BaseModel):
    """The successful answer of a token endpoint (RFC 6749 §5.1)."""

    access_token: str = Field(description="The signed access token (a JWT).")
    token_type: str = Field(description='How to present it: "bearer" (RFC 6750).')
    expires_in: int = Field(description="Seconds until the access token expires.")
    scope: str = Field(description="The granted scopes, space-separated.")


# RFC 6749 §5.1: a response carrying tokens must not be stored by any cache.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

Authenticate = Callable[[str, str], Awaitable[Grant | None]]


def password_token_endpoint(
    issuer: TokenIssuer, authenticate: Authenticate
) -> Callable[..., Awaitable[TokenResponse]]:
    """An OAuth2 password-flow token endpoint: register it with ``app.post(token_url)``.

    ``authenticate(username, password)`` returns a :class:`Grant` or ``None``
    for wrong credentials (answered with 400, as RFC 6749 §5.2 asks). The token
    carries the requested scopes the grant allows; no requested scope means all
    of them. Every answer carries ``Cache-Control: no-store`` and
    ``Pragma: no-cache``, and the OpenAPI document describes the
    :class:`TokenResponse`.
    """

    async def token(
        response: Response, form: OAuth2PasswordRequestForm = Depends()
    ) -> TokenResponse:
        response.headers.update(_NO_STORE)
        grant = await authenticate(form.username, form.password)
        if grant is None:
            raise HTTPException(400, detail="Incorrect username or password", headers=_NO_STORE)
        allowed = list(grant.scopes)
        scopes = [s for s in form.scopes if s in allowed] if form.scopes else allowed
        issued = issuer.issue(grant.subject, scopes=scopes, claims=grant.claims)
        return TokenResponse(
            access_token=issued.access_token,
            token_type=issued.token_type,
            expires_in=issued.expires_in,
            scope=" ".join(issued.scopes),
        )

    return token
