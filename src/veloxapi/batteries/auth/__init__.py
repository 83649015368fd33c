"""Authentication and authorization for services behind OAuth2 / OpenID Connect.

Validate bearer tokens from one or more issuers (shared secret, static public
keys, JWKS or OpenID Connect discovery), require scopes, guard routes with
composable checks, accept API keys, and issue tokens of your own. Needs the
``jwt`` extra: ``pip install "veloxapi[jwt]"``. See ``docs/auth.md``.
"""

from __future__ import annotations

try:
    import argon2  # noqa: F401
    import cryptography  # noqa: F401
    import httpx  # noqa: F401
    import jwt  # noqa: F401
    import pwdlib  # noqa: F401
    import pydantic_settings  # noqa: F401
except ImportError as exc:
    raise ImportError(
        f"veloxapi.batteries.auth needs {exc.name}, which is not installed: "
        'pip install "veloxapi[jwt]"'
    ) from exc

from .apikeys import APIKeyVerifier, hash_api_key
from .checks import (
    Check,
    CheckContext,
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
from .dependencies import (
    APIKeyAuth,
    BearerTokenAuth,
    OAuth2PasswordTokenAuth,
    TokenAuth,
    current_user,
)
from .deployment import Deployment
from .errors import (
    AuthError,
    ForbiddenError,
    InsufficientScopeError,
    InvalidCredentialsError,
    KeysUnavailableError,
)
from .issuers import Issuer
from .passwords import PasswordHasher
from .routes import Grant, TokenResponse, password_token_endpoint, protected_route
from .settings import AuthSettings, IssuerSettings
from .tokens import IssuedToken, TokenIssuer
from .users import AuthenticatedUser
from .validator import JWKSOptions, TokenValidator, ValidatedToken

__all__ = [
    "APIKeyAuth",
    "APIKeyVerifier",
    "AuthError",
    "AuthSettings",
    "AuthenticatedUser",
    "BearerTokenAuth",
    "Check",
    "CheckContext",
    "Deployment",
    "ForbiddenError",
    "Grant",
    "InsufficientScopeError",
    "InvalidCredentialsError",
    "IssuedToken",
    "Issuer",
    "IssuerSettings",
    "JWKSOptions",
    "KeysUnavailableError",
    "OAuth2PasswordTokenAuth",
    "PasswordHasher",
    "TokenAuth",
    "TokenIssuer",
    "TokenResponse",
    "TokenValidator",
    "ValidatedToken",
    "and_",
    "argument_not_present",
    "argument_present",
    "current_user",
    "field_in_body_matches_jwt_claim",
    "field_in_path_matches_jwt_claim",
    "hash_api_key",
    "key_contains_value",
    "key_contains_value_in_list",
    "key_present",
    "match_keys",
    "non_production_only_route",
    "or_",
    "password_token_endpoint",
    "production_only_route",
    "protected_route",
    "scopes_present",
]
