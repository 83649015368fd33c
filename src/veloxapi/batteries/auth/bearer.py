"""The bearer-token exchange of RFC 6750, independent of any web framework.

:func:`authenticate` takes the ``Authorization`` header and the scopes a
route requires and returns the validated token or raises an
:class:`~.errors.AuthError`; :func:`challenge_headers` turns that error into
the ``WWW-Authenticate`` header the RFC prescribes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .errors import (
    AuthError,
    InsufficientScopeError,
    InvalidCredentialsError,
)
from .scopes import missing_scopes
from .validator import TokenValidator, ValidatedToken

# RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def bearer_token(authorization: str | None) -> str:
    """The token in an ``Authorization: Bearer <token>`` header.

    A missing header, or one for another scheme, is "Not authenticated"; a
    Bearer header without exactly one well-formed token is malformed. Both
    are 401 without an RFC 6750 error code, as the RFC asks for requests that
    carry no usable token.
    """
    if not authorization:
        raise InvalidCredentialsError("Not authenticated")
    scheme, _, rest = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise InvalidCredentialsError("Not authenticated")
    token = rest.strip()
    if not _B64TOKEN.fullmatch(token):
        raise InvalidCredentialsError("Malformed Authorization header")
    return token


async def authenticate(
    validator: TokenValidator, authorization: str | None, required_scopes: Sequence[str]
) -> ValidatedToken:
    """The validated token from ``authorization``, holding every required scope."""
    token = await validator.validate(bearer_token(authorization))
    missing = missing_scopes(token.scopes, required_scopes)
    if missing:
        raise InsufficientScopeError(list(required_scopes))
    return token


def challenge_headers(error: AuthError, required_scopes: Sequence[str] = ()) -> dict[str, str]:
    """The response headers for ``error``: ``WWW-Authenticate: Bearer ...`` and friends."""
    headers = dict(error.headers)
    params: list[str] = []
    if isinstance(error, InsufficientScopeError):
        params.append('error="insufficient_scope"')
    elif isinstance(error, InvalidCredentialsError) and error.error:
        params += [f'error="{error.error}"', f'error_description="{error.detail}"']
    elif not isinstance(error, InvalidCredentialsError):
        return headers
    if required_scopes:
        params.append(f'scope="{" ".join(required_scopes)}"')
    headers["WWW-Authenticate"] = "Bearer " + ", ".join(params) if params else "Bearer"
    return headers
