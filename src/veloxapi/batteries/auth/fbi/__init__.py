"""A migration path from FastAPI Batteries Included (FBI): its API, on the auth battery.

Services written against FBI's endpoint security keep their routes and change
the import: ``fastapi_batteries_included.helpers.security`` becomes
``veloxapi.batteries.auth.fbi``, module for module (``.jwt_user``,
``.endpoint_security``, ``.protection``, ``.jwt``, ``.api_key``). The names,
parameters, meanings and environment variables are FBI's; tokens are checked
by the battery, with its safe defaults (``exp``, ``iat``, ``iss`` and ``aud``
required, 401 for an invalid token). ``VELOX_FBI_LEGACY_TOKENS=true`` restores
FBI's token rules for a transition, and is refused in production. See the
migration section of ``docs/auth.md``.

Settings are read from the environment when this package is first imported,
as FBI does, and every problem is reported at once.
"""

from .endpoint_security import (
    ProtectedScopeEnvironment,
    ProtectedScopeOperation,
    and_,
    argument_not_present,
    argument_present,
    field_in_body_matches_jwt_claim,
    field_in_path_matches_jwt_claim,
    key_contains_value,
    key_contains_value_in_list,
    key_present,
    match_keys,
    non_production_only_route,
    or_,
    production_only_route,
    scopes_present,
)
from .jwt import TokenData, current_jwt_user, jwt_settings
from .jwt_user import ValidatedUser, get_validated_jwt_token, get_validated_user, jwtbearer_scheme
from .protection import protected_route

__all__ = [
    "ProtectedScopeEnvironment",
    "ProtectedScopeOperation",
    "TokenData",
    "ValidatedUser",
    "and_",
    "argument_not_present",
    "argument_present",
    "current_jwt_user",
    "field_in_body_matches_jwt_claim",
    "field_in_path_matches_jwt_claim",
    "get_validated_jwt_token",
    "get_validated_user",
    "jwt_settings",
    "jwtbearer_scheme",
    "key_contains_value",
    "key_contains_value_in_list",
    "key_present",
    "match_keys",
    "non_production_only_route",
    "or_",
    "production_only_route",
    "protected_route",
    "scopes_present",
]
