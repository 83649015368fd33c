"""Who may write: bearer tokens with the ``inventory:write`` scope.

Development: the service is its own token issuer (HS256) with two users,
``alice`` (read and write) and ``bob`` (read only), whose password is
``DEMO_DEV_PASSWORD`` (``dev-password`` unless set). Production: tokens are
validated against the identity provider of ``VELOX_AUTH_*``.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from veloxapi import APIRouter
from veloxapi.batteries.auth import (
    AuthSettings,
    Grant,
    OAuth2PasswordTokenAuth,
    PasswordHasher,
    TokenIssuer,
    TokenValidator,
    password_token_endpoint,
)

from .config import DemoSettings

logger = logging.getLogger("demo.security")

READ, WRITE = "inventory:read", "inventory:write"
SCOPES = {READ: "Read suppliers and products", WRITE: "Change suppliers, products and stock"}
DEV_USERS = {"alice": (READ, WRITE), "bob": (READ,)}
TOKEN_URL = "/token"


@dataclass(frozen=True)
class DemoAuth:
    """The token dependency of the write routes, and the dev token route when there is one."""

    auth: OAuth2PasswordTokenAuth
    token_router: APIRouter | None


def _dev_issuer(settings: DemoSettings) -> TokenIssuer:
    if settings.token_secret is None:
        logger.warning(
            "DEMO_TOKEN_SECRET is not set: dev tokens are signed with a random secret "
            "and stop working when this process stops"
        )
        secret = secrets.token_urlsafe(48)
    else:
        secret = settings.token_secret.get_secret_value()
    return TokenIssuer(
        issuer=settings.token_issuer,
        audience=settings.audience,
        secret=secret,
        lifetime=settings.token_lifetime,
    )


def _dev_token_router(settings: DemoSettings, issuer: TokenIssuer) -> APIRouter:
    hasher = PasswordHasher()
    password_hash = hasher.hash(settings.dev_password.get_secret_value())

    async def authenticate(username: str, password: str) -> Grant | None:
        scopes = DEV_USERS.get(username)
        if not hasher.verify(password, password_hash if scopes else None):
            return None
        return Grant(subject=username, scopes=scopes or ())

    router = APIRouter(tags=["auth"])
    router.post(TOKEN_URL, summary="Dev token (password flow)")(
        password_token_endpoint(issuer, authenticate)
    )
    return router


def build_security(settings: DemoSettings) -> DemoAuth:
    """Dev: own issuer and token route. Production: the provider of ``VELOX_AUTH_*``."""
    if settings.development:
        issuer = _dev_issuer(settings)
        validator = TokenValidator(issuer.verifier())
        router: APIRouter | None = _dev_token_router(settings, issuer)
    else:
        validator = AuthSettings.from_env().token_validator()
        router = None
    return DemoAuth(OAuth2PasswordTokenAuth(validator, TOKEN_URL, scopes=SCOPES), router)
