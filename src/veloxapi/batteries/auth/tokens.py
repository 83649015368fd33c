"""Issuing signed access tokens, so a small service can be its own identity provider.

:class:`TokenIssuer` signs tokens with a shared secret (``HS*``) or a private
key (``RS*``, ``PS*``, ``ES*``, ``EdDSA``), and hands out the matching
verification side: :meth:`TokenIssuer.verifier` for this service's own
:class:`~.validator.TokenValidator`, and :meth:`TokenIssuer.jwks` for other
services to fetch.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)

from veloxapi.batteries.settings import ConfigurationError

from .issuers import Issuer
from .keys import MIN_SECRET_BYTES, algorithm_family

RESERVED_CLAIMS = frozenset({"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "scope"})


@dataclass(frozen=True)
class IssuedToken:
    """A signed access token and what the token endpoint says about it."""

    access_token: str
    expires_in: int
    scopes: tuple[str, ...]
    token_type: str = "bearer"


class TokenIssuer:
    """Signs access tokens for ``issuer`` and ``audience``, valid for ``lifetime`` seconds."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        secret: str | bytes | None = None,
        private_key: str | bytes | None = None,
        algorithm: str = "HS256",
        lifetime: int = 900,
        key_id: str | None = None,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.algorithm = algorithm
        self.lifetime = lifetime
        self.key_id = key_id
        self._signing_key, self._public_pem = _load_signing_key(algorithm, secret, private_key)
        if lifetime <= 0:
            raise ConfigurationError([f"TokenIssuer: lifetime={lifetime!r} must be positive"])

    def __repr__(self) -> str:
        return f"TokenIssuer(issuer={self.issuer!r}, algorithm={self.algorithm!r})"

    def issue(
        self,
        subject: str,
        *,
        scopes: Sequence[str] = (),
        claims: Mapping[str, Any] | None = None,
    ) -> IssuedToken:
        """A token for ``subject`` granting ``scopes``, with extra ``claims`` added."""
        reserved = RESERVED_CLAIMS.intersection(claims or {})
        if reserved:
            raise ValueError(f"claims {sorted(reserved)} are set by the TokenIssuer itself")
        now = int(time.time())
        payload: dict[str, Any] = {
            **(claims or {}),
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "jti": uuid.uuid4().hex,
            "scope": " ".join(scopes),
        }
        headers = {"kid": self.key_id} if self.key_id else None
        token = jwt.encode(payload, self._signing_key, algorithm=self.algorithm, headers=headers)
        return IssuedToken(access_token=token, expires_in=self.lifetime, scopes=tuple(scopes))

    def verifier(self, **options: Any) -> Issuer:
        """The :class:`Issuer` that verifies this issuer's tokens (``options`` are passed on)."""
        keys: dict[str, Any] = (
            {"secret": self._signing_key}
            if self._public_pem is None
            else {"public_keys": [self._public_pem]}
        )
        return Issuer(
            issuer=self.issuer,
            algorithms=[self.algorithm],
            audience=self.audience,
            **keys,
            **options,
        )

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public JSON Web Key Set (empty for HMAC issuers, whose key is secret)."""
        if self._public_pem is None:
            return {"keys": []}
        public = jwt.get_algorithm_by_name(self.algorithm).prepare_key(self._public_pem)
        jwk: dict[str, Any] = jwt.get_algorithm_by_name(self.algorithm).to_jwk(public, as_dict=True)
        jwk.update({"use": "sig", "alg": self.algorithm})
        if self.key_id:
            jwk["kid"] = self.key_id
        return {"keys": [jwk]}


def _load_signing_key(
    algorithm: str, secret: str | bytes | None, private_key: str | bytes | None
) -> tuple[Any, bytes | None]:
    """The signing key and, for asymmetric algorithms, the public key as PEM."""
    family = algorithm_family(algorithm)
    if family is None:
        raise ConfigurationError([f"TokenIssuer: algorithm={algorithm!r} is not supported"])
    if family == "hmac":
        if secret is None or private_key is not None:
            raise ConfigurationError([f"TokenIssuer: {algorithm} signs with a secret only"])
        raw = secret.encode() if isinstance(secret, str) else secret
        if len(raw) < MIN_SECRET_BYTES[algorithm]:
            raise ConfigurationError(
                [
                    f"TokenIssuer: the secret is {len(raw)} bytes; {algorithm} needs at least "
                    f"{MIN_SECRET_BYTES[algorithm]} (use secrets.token_urlsafe(64))"
                ]
            )
        return raw, None
    if private_key is None or secret is not None:
        raise ConfigurationError([f"TokenIssuer: {algorithm} signs with a private_key only"])
    pem = private_key.encode() if isinstance(private_key, str) else private_key
    try:
        key = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            ["TokenIssuer: private_key is not an unencrypted PEM private key"]
        ) from exc
    public_pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return key, public_pem
