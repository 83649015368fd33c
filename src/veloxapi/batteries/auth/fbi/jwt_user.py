"""FBI's token dependencies: ``get_validated_jwt_token`` and ``get_validated_user``.

Use them as FBI documents, with ``Security(...)`` and the scopes a route needs::

    @router.get("/path", dependencies=[Security(get_validated_jwt_token, scopes=["a:b"])])
    async def route(user: ValidatedUser = Security(get_validated_user, scopes=["a:b"])): ...

The token is validated by the auth battery (``jwtbearer_scheme``, documented
in OpenAPI as the ``bearerAuth`` HTTP bearer scheme with the route's scopes):
no token is 401, a token without the scopes is 403 ``Not enough permissions``.
An invalid token is 401 ``invalid_token``; FBI answered 403 ``Could not validate
credentials``, which ``VELOX_FBI_LEGACY_TOKENS=true`` restores outside production.
"""

# No ``from __future__ import annotations`` here: the dependency engine reads these
# signatures at run time.

from pydantic import BaseModel

from veloxapi import Depends, Security
from veloxapi.exceptions import HTTPException
from veloxapi.requests import HTTPConnection
from veloxapi.security import SecurityScopes

from ..bearer import authenticate
from ..dependencies import BearerTokenAuth, http_error
from ..errors import AuthError, InvalidCredentialsError
from ..validator import TokenValidator, ValidatedToken
from .jwt import TokenData, current_jwt_user, jwt_settings, to_token_data, validator


class JWTBearer(BearerTokenAuth):
    """The battery's bearer scheme, named ``bearerAuth`` as FBI documents it.

    With ``legacy_status=True`` a presented token that is rejected is answered
    403 ``Could not validate credentials``, as FBI did (a transition switch).
    """

    def __init__(self, validator: TokenValidator, *, legacy_status: bool = False) -> None:
        super().__init__(validator, scheme_name="bearerAuth")
        self.legacy_status = legacy_status

    async def __call__(  # type: ignore[override]  # the scheme needs the route's scopes too
        self, request: HTTPConnection, security_scopes: SecurityScopes
    ) -> ValidatedToken:
        scopes = security_scopes.scopes
        try:
            return await authenticate(self.validator, request.headers.get("Authorization"), scopes)
        except InvalidCredentialsError as exc:
            if self.legacy_status and exc.error is not None:
                raise HTTPException(403, detail="Could not validate credentials") from None
            raise http_error(exc, scopes) from None
        except AuthError as exc:
            raise http_error(exc, scopes) from None


jwtbearer_scheme = JWTBearer(validator, legacy_status=jwt_settings.VELOX_FBI_LEGACY_TOKENS)


class ValidatedUser(BaseModel):
    """The user a validated token names (``VALID_USER_ID_KEYS``) and its token data."""

    user_id: str
    token_data: TokenData


async def get_validated_jwt_token(
    token: ValidatedToken = Security(jwtbearer_scheme),
) -> TokenData:
    """The validated token's :class:`TokenData`; scopes come from ``Security(..., scopes=)``."""
    return to_token_data(token)


async def get_validated_user(
    token_data: TokenData = Depends(get_validated_jwt_token),
) -> ValidatedUser:
    """The :class:`ValidatedUser`; 403 when the token names no user (as FBI)."""
    user_id = current_jwt_user(token_data)
    if user_id == "unknown":
        raise HTTPException(403, detail="Not enough permissions")
    return ValidatedUser(user_id=user_id, token_data=token_data)
