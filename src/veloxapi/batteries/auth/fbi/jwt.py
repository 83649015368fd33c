"""FBI's view of a validated token: :class:`TokenData`, its flattened claims and its user.

FBI does not hand routes the token's claims as they are: the fields of the
issuer's metadata claim are lifted to the top (a ``locations`` list becomes
``location_ids``), the whole token is kept under ``raw``, and ``iss`` and
``sub`` are copied. :func:`to_token_data` builds that view from the battery's
:class:`~veloxapi.batteries.auth.ValidatedToken`; ``jwt_settings`` and
``validator`` are read from the environment when this module is first
imported, as FBI does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from ..validator import TokenValidator, ValidatedToken
from .config import JwtSettings, load_jwt_settings

logger = logging.getLogger("veloxapi.auth")

jwt_settings: JwtSettings = load_jwt_settings()
validator: TokenValidator = jwt_settings.token_validator()
_metadata_keys = jwt_settings.metadata_keys()


class TokenData(BaseModel):
    """A validated token as FBI routes see it: its scopes and flattened claims."""

    scopes: list[str] = []
    claims: dict[str, Any] = {}


def flatten_claims(access_token: Mapping[str, Any], metadata_key: str) -> dict[str, Any]:
    """FBI's claims: the metadata fields, ``raw``, ``iss`` and ``sub``."""
    claims: dict[str, Any] = {}
    metadata = access_token.get(metadata_key) if metadata_key else None
    if isinstance(metadata, Mapping):
        claims["raw"] = dict(access_token)
        for name, value in metadata.items():
            if name == "locations":
                claims["location_ids"] = _location_ids(value)
            else:
                claims[name] = value
    for standard in ("iss", "sub"):
        if standard in access_token:
            claims[standard] = access_token[standard]
    return claims


def _location_ids(locations: object) -> list[Any]:
    if not isinstance(locations, list):
        return []
    return [entry["id"] for entry in locations if isinstance(entry, Mapping) and "id" in entry]


def to_token_data(token: ValidatedToken) -> TokenData:
    """The :class:`TokenData` of a token the battery validated."""
    claims = flatten_claims(token.claims, _metadata_keys.get(token.issuer, ""))
    return TokenData(scopes=list(token.scopes), claims=claims)


def current_jwt_user(token: TokenData) -> str:
    """The first of ``VALID_USER_ID_KEYS`` the claims hold as a string, else ``"unknown"``."""
    for key in jwt_settings.VALID_USER_ID_KEYS:
        user_id = token.claims.get(key)
        if isinstance(user_id, str):
            return user_id
    if token.claims:
        logger.warning(
            "No user id in the token: none of %s is a string claim",
            list(jwt_settings.VALID_USER_ID_KEYS),
        )
    return "unknown"
