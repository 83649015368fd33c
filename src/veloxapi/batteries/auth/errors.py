"""Why a request was refused: the errors the auth battery raises while serving.

::

    Exception
    └── AuthError ..................... a request was refused (carries status and headers)
        ├── InvalidCredentialsError ... 401: missing, malformed or rejected credentials
        ├── ForbiddenError ............ 403: valid credentials without the needed rights
        │   └── InsufficientScopeError  403: the token lacks required scopes
        └── KeysUnavailableError ...... 503: the issuer's keys could not be fetched

Configuration mistakes are not here: they raise
:class:`veloxapi.batteries.settings.ConfigurationError` when the validator,
settings or route is built, never while serving.

Every message is written for the client: it never contains the token, key or
password that was presented.
"""

from __future__ import annotations


class AuthError(Exception):
    """A request was refused; ``status_code``, ``detail`` and ``headers`` form the answer."""

    status_code = 401

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class InvalidCredentialsError(AuthError):
    """Credentials are missing, malformed, or were rejected (answered with 401).

    ``error`` is the RFC 6750 error code (``"invalid_token"``) when a token was
    presented and rejected, and ``None`` when no usable credentials were sent.
    """

    status_code = 401

    def __init__(self, detail: str, *, error: str | None = None) -> None:
        super().__init__(detail)
        self.error = error


class ForbiddenError(AuthError):
    """Valid credentials that do not grant access to this route (answered with 403)."""

    status_code = 403


class InsufficientScopeError(ForbiddenError):
    """A valid token that lacks some of the ``required`` scopes (answered with 403)."""

    def __init__(self, required: list[str]) -> None:
        super().__init__("Not enough permissions")
        self.required = required


class KeysUnavailableError(AuthError):
    """The issuer's signing keys could not be fetched in time (answered with 503)."""

    status_code = 503

    def __init__(self, retry_after: int = 5) -> None:
        super().__init__(
            "Authentication is temporarily unavailable",
            headers={"Retry-After": str(retry_after)},
        )
