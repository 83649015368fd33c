"""The user a validated token speaks for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from veloxapi.batteries.settings import ConfigurationError

from .errors import InvalidCredentialsError
from .validator import ValidatedToken

DEFAULT_ID_CLAIMS = ("sub",)


@dataclass(frozen=True)
class AuthenticatedUser:
    """A user identified by a validated token."""

    id: str
    issuer: str
    scopes: tuple[str, ...]
    claims: Mapping[str, Any]


def check_id_claims(id_claims: Sequence[str]) -> tuple[str, ...]:
    """``id_claims`` as a tuple; a configuration error if it names no claim."""
    if isinstance(id_claims, str) or not id_claims:
        raise ConfigurationError(
            [f"id_claims={id_claims!r}: give a non-empty list of claim names, such as ['sub']"]
        )
    return tuple(id_claims)


def user_from_token(token: ValidatedToken, id_claims: Sequence[str]) -> AuthenticatedUser:
    """The user named by the first of ``id_claims`` the token carries as a string.

    A token that names nobody is rejected with 401 ``invalid_token``.
    """
    for claim in id_claims:
        value = token.claims.get(claim)
        if isinstance(value, str) and value:
            return AuthenticatedUser(
                id=value, issuer=token.issuer, scopes=token.scopes, claims=token.claims
            )
    raise InvalidCredentialsError("Token does not identify a user", error="invalid_token")
