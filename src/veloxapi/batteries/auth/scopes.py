"""Scopes granted by a token, whichever way the identity provider writes them.

OAuth2 providers put a space-separated string in ``scope`` (or ``scp``);
Auth0 puts a list in ``permissions``. Both are accepted.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import InvalidCredentialsError


def parse_scopes(value: object) -> tuple[str, ...]:
    """The scopes in a claim value: ``None``, ``"a b"`` or ``["a", "b"]``.

    Any other shape means the token is malformed (answered with 401).
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise InvalidCredentialsError("The token's scope claim is malformed", error="invalid_token")


def missing_scopes(granted: Iterable[str], required: Iterable[str]) -> list[str]:
    """The ``required`` scopes not in ``granted``, in the order they were required."""
    have = set(granted)
    return [scope for scope in dict.fromkeys(required) if scope not in have]
