"""FBI's ``protected_route``: a token, a route check, and the issuers allowed.

``protected_route(validation_function=None, allowed_issuers=None)`` returns a
dependency for ``Security(...)`` (or ``Depends(...)``) that validates the
token through :func:`~.jwt_user.get_validated_jwt_token` (so
``Security(protected_route(), scopes=[...])`` requires and documents scopes),
then lets the battery's route guard decide:

* no ``validation_function`` means any valid token (FBI's meaning);
* ``allowed_issuers`` (one name or a list; ``None`` entries ignored) is
  enforced, and must name issuers the service trusts, or start-up fails;
* a refused check is 403; ``IGNORE_JWT_VALIDATION=true`` skips the check
  outside production, never the token or the scopes.
"""

# No ``from __future__ import annotations`` here: the dependency engine reads these
# signatures at run time.

from collections.abc import Awaitable, Callable, Sequence

from veloxapi import Depends
from veloxapi.requests import Request

from ..checks import CheckContext
from ..dependencies import http_error
from ..errors import AuthError
from ..guard import RouteGuard
from .endpoint_security import ProtectedScopeEnvironment, ProtectedScopeOperation, as_check
from .jwt import TokenData, validator
from .jwt_user import get_validated_jwt_token


async def _any_valid_token(ctx: CheckContext) -> bool:
    return True


def protected_route(
    validation_function: ProtectedScopeOperation | None = None,
    allowed_issuers: Sequence[str | None] | str | None = None,
) -> Callable[..., Awaitable[None]]:
    """A dependency admitting requests whose token passes ``validation_function``."""
    check = _any_valid_token if validation_function is None else as_check(validation_function)
    guard = RouteGuard(check, validator=validator, allowed_issuers=_issuer_names(allowed_issuers))

    async def protected(
        request: Request, token_data: TokenData = Depends(get_validated_jwt_token)
    ) -> None:
        env = ProtectedScopeEnvironment(
            request=request, scopes=token_data.scopes, claims=token_data.claims
        )
        try:
            await guard.authorize(env)
        except AuthError as exc:
            raise http_error(exc) from None

    return protected


def _issuer_names(allowed: Sequence[str | None] | str | None) -> list[str] | None:
    """FBI's forms: one name, a list (``None`` entries dropped), or nothing."""
    if allowed is None:
        return None
    if isinstance(allowed, str):
        return [allowed]
    names = [name for name in allowed if name]
    return names or None
