"""Token validation: is this bearer token from an issuer we trust, and still good?

:meth:`TokenValidator.validate` reads the token's issuer and algorithm without
trusting them, picks that issuer's configuration, and lets PyJWT verify the
signature and the claims with the issuer's own keys, algorithms, audience,
leeway and required claims. Every rejection is an
:class:`~.errors.InvalidCredentialsError` (401) with a message safe to show the
client; an issuer whose keys cannot be fetched gives
:class:`~.errors.KeysUnavailableError` (503). Nothing else escapes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jwt
from jwt.types import Options

from veloxapi.batteries.settings import ConfigurationError

from .deployment import Deployment
from .errors import InvalidCredentialsError
from .issuers import Issuer
from .jwks import JWKSCache
from .keys import VerificationKey
from .scopes import parse_scopes

logger = logging.getLogger("veloxapi.auth")

MAX_TOKEN_LENGTH = 16 * 1024
"""Longer tokens are refused before any decoding (real access tokens are a few KB)."""

# _UNTRUSTED_INPUT_ERRORS: decoding runs on text an attacker chose, and PyJWT does
# not turn every failure into a PyJWTError (some versions raise RecursionError on
# deeply nested JSON, OverflowError or ValueError on ``"exp": Infinity``). Whatever
# decoding raises, the token is refused with 401; nothing from it becomes a 500.

_REJECTIONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "Token has expired"),
    (jwt.ImmatureSignatureError, "Token is not yet valid"),
    (jwt.InvalidAudienceError, "Token audience is not accepted"),
    (jwt.InvalidIssuerError, "Token issuer is not accepted"),
    (jwt.InvalidSignatureError, "Token signature is invalid"),
    (jwt.InvalidIssuedAtError, "Token issue time is invalid"),
)


@dataclass(frozen=True)
class ValidatedToken:
    """A token that passed validation: its claims, scopes, issuer and header."""

    claims: Mapping[str, Any]
    scopes: tuple[str, ...]
    issuer: str
    header: Mapping[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str | None:
        sub = self.claims.get("sub")
        return sub if isinstance(sub, str) else None


@dataclass(frozen=True)
class JWKSOptions:
    """How remote key sets are fetched (see :class:`~.jwks.JWKSCache`)."""

    timeout: float = 5.0
    ttl: float = 300.0
    min_refresh_interval: float = 30.0
    failure_backoff: float = 5.0
    stale_if_error: float = 3600.0

    def __post_init__(self) -> None:
        problems = [
            f"JWKSOptions: {name}={value!r} must not be negative"
            for name, value in (
                ("ttl", self.ttl),
                ("min_refresh_interval", self.min_refresh_interval),
                ("failure_backoff", self.failure_backoff),
                ("stale_if_error", self.stale_if_error),
            )
            if value < 0
        ]
        if self.timeout <= 0:
            problems.append(f"JWKSOptions: timeout={self.timeout!r} must be positive")
        if problems:
            raise ConfigurationError(problems)


class _KeySource:
    """One issuer's keys: given in code, or a :class:`JWKSCache`."""

    def __init__(self, issuer: Issuer, options: JWKSOptions) -> None:
        self.issuer = issuer
        self._static = issuer.static_keys()
        self._cache = (
            JWKSCache(
                issuer,
                timeout=options.timeout,
                ttl=options.ttl,
                min_refresh_interval=options.min_refresh_interval,
                failure_backoff=options.failure_backoff,
                stale_if_error=options.stale_if_error,
            )
            if issuer.uses_remote_keys
            else None
        )

    async def keys_for(self, kid: str | None, algorithm: str) -> list[VerificationKey]:
        if self._cache is not None:
            keys = await self._cache.keys_for(kid)
        else:
            keys = [k for k in self._static if kid is None or k.kid in (None, kid)]
        return [key for key in keys if key.fits(algorithm)]


class TokenValidator:
    """Validates bearer tokens against one or more trusted :class:`Issuer` s."""

    def __init__(
        self,
        issuers: Issuer | Sequence[Issuer],
        *,
        deployment: Deployment | None = None,
        jwks: JWKSOptions | None = None,
    ) -> None:
        issuer_list = [issuers] if isinstance(issuers, Issuer) else list(issuers)
        names = [issuer.issuer for issuer in issuer_list]
        if not names:
            raise ConfigurationError(["TokenValidator needs at least one Issuer"])
        if len(set(names)) != len(names):
            raise ConfigurationError([f"TokenValidator: issuers {names!r} repeat a name"])
        options = jwks or JWKSOptions()
        self._sources = {issuer.issuer: _KeySource(issuer, options) for issuer in issuer_list}
        self.deployment = deployment or Deployment()

    @property
    def issuers(self) -> tuple[str, ...]:
        """The names (``iss`` values) of the trusted issuers."""
        return tuple(self._sources)

    async def validate(self, token: str) -> ValidatedToken:
        """The validated token, or :class:`InvalidCredentialsError` saying why not."""
        header, unverified = _read_unverified(token)
        name = unverified.get("iss")
        if not isinstance(name, str):
            raise _reject("Token has no issuer")
        source = self._sources.get(name)
        if source is None:
            raise _reject("Token issuer is not trusted", name)
        issuer = source.issuer
        alg, kid = header.get("alg"), header.get("kid")
        if not isinstance(alg, str) or alg not in issuer.algorithms:
            raise _reject("Token algorithm is not accepted", name)
        if kid is not None and not isinstance(kid, str):
            raise _reject("Token key id is malformed", name)
        keys = await source.keys_for(kid, alg)
        if not keys:
            raise _reject("Token was signed with an unknown key", name)
        claims = _verify(token, alg, keys, issuer, audience_given="aud" in unverified)
        scopes = parse_scopes(claims.get(issuer.scopes_claim))
        return ValidatedToken(claims=claims, scopes=scopes, issuer=name, header=header)


def _reject(detail: str, issuer: str | None = None) -> InvalidCredentialsError:
    logger.debug("Token rejected (issuer=%r): %s", issuer, detail)
    return InvalidCredentialsError(detail, error="invalid_token")


def _read_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims, unverified: only used to choose how to verify."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise _reject("Token is malformed")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except Exception:  # see _UNTRUSTED_INPUT_ERRORS
        raise _reject("Token is malformed") from None
    return header, claims


def _verify(
    token: str,
    alg: str,
    keys: list[VerificationKey],
    issuer: Issuer,
    *,
    audience_given: bool,
) -> dict[str, Any]:
    """Claims verified by PyJWT with the first key whose signature matches.

    ``aud`` is checked whenever the token carries one; a token without it is
    refused only if ``aud`` is a required claim (PyJWT would refuse it whenever
    an audience is configured, whatever ``required_claims`` says).
    """
    options: Options = {"require": list(issuer.required_claims)}
    if not audience_given and "aud" not in issuer.required_claims:
        options["verify_aud"] = False
    failure: Exception = jwt.InvalidSignatureError()
    for key in keys:
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=issuer.audiences,
                issuer=issuer.issuer,
                leeway=issuer.leeway,
                options=options,
            )
        except jwt.InvalidSignatureError as exc:
            failure = exc
        except Exception as exc:  # see _UNTRUSTED_INPUT_ERRORS
            failure = exc
            break
    raise _reject(_describe(failure), issuer.issuer)


def _describe(error: Exception) -> str:
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"Token is missing the {error.claim!r} claim"
    for kind, message in _REJECTIONS:
        if isinstance(error, kind):
            return message
    if not isinstance(error, jwt.PyJWTError):
        logger.debug("Token decoding raised %s", type(error).__name__)
        return "Token is malformed"
    return "Token is invalid"
