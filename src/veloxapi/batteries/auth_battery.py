"""The auth battery as a registry entry: ``augment_app(app, auth=True)``.

Builds, once at start-up, what :mod:`veloxapi.batteries.auth` needs from
``VELOX_AUTH_*``: the token validator for the configured issuers and the API
key verifier, and the ready-made dependencies that use them. The handle is
an :class:`AuthBattery`; it is also kept on ``app.state`` (:func:`auth_for`)::

    batteries = augment_app(app, auth=True)
    auth = batteries.installed["auth"]

    @app.get("/me")
    async def me(user: AuthenticatedUser = Depends(auth.current_user)): ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from veloxapi.batteries.auth import (
    APIKeyAuth,
    AuthenticatedUser,
    AuthSettings,
    BearerTokenAuth,
    current_user,
)
from veloxapi.batteries.documentation import document_batteries
from veloxapi.batteries.settings import ConfigurationError

STATE_KEY = "veloxapi_auth"

__all__ = ["AuthBattery", "AuthSettings", "auth_for", "check_auth", "install_auth"]


@dataclass(frozen=True)
class AuthBattery:
    """The configured schemes: ``bearer`` (tokens) and ``api_key``; either may be off."""

    settings: AuthSettings
    bearer: BearerTokenAuth | None
    api_key: APIKeyAuth | None
    current_user: Callable[..., Awaitable[AuthenticatedUser]] | None


def _bearer(settings: AuthSettings) -> BearerTokenAuth | None:
    if not (settings.issuer or settings.issuers):
        return None
    return BearerTokenAuth(settings.token_validator())


def _api_key(settings: AuthSettings) -> APIKeyAuth | None:
    if not (settings.api_keys or settings.api_key_hashes):
        return None
    return APIKeyAuth(settings.api_key_verifier(), header=settings.api_key_header)


_NOTHING = (
    "the auth battery has nothing to check: set VELOX_AUTH_ISSUER (or VELOX_AUTH_ISSUERS) "
    "for tokens, or VELOX_AUTH_API_KEYS / VELOX_AUTH_API_KEY_HASHES for API keys"
)


def _build(settings: AuthSettings) -> tuple[BearerTokenAuth | None, APIKeyAuth | None, list[str]]:
    """The schemes ``settings`` configure, and every problem building them raised."""
    problems: list[str] = []
    bearer = api_key = None
    try:
        bearer = _bearer(settings)
    except ConfigurationError as exc:
        problems.extend(exc.problems)
    try:
        api_key = _api_key(settings)
    except ConfigurationError as exc:
        problems.extend(exc.problems)
    if not problems and bearer is None and api_key is None:
        problems.append(_NOTHING)
    return bearer, api_key, problems


def check_auth(settings: AuthSettings) -> list[str]:
    """Every problem building the battery's validator and verifier would raise."""
    return _build(settings)[2]


def install_auth(app: Any, settings: AuthSettings) -> AuthBattery:
    """Build the validator, verifier and dependencies; keep them on ``app.state``."""
    bearer, api_key, problems = _build(settings)
    if problems:
        raise ConfigurationError(problems)
    user = current_user(bearer, id_claims=settings.user_id_claims) if bearer else None
    battery = AuthBattery(settings, bearer, api_key, user)
    setattr(app.state, STATE_KEY, battery)
    document_batteries(app)
    return battery


def auth_for(app: Any) -> AuthBattery:
    """The :class:`AuthBattery` installed on ``app``; LookupError when there is none."""
    found = getattr(getattr(app, "state", None), STATE_KEY, None)
    if not isinstance(found, AuthBattery):
        raise LookupError("no auth battery on this app; use augment_app(app, auth=True)")
    return found
