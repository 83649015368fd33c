"""Verification keys: loading them, and which algorithm may use which key.

An issuer's algorithms are all HMAC (``HS*``, verified with a shared secret) or
all asymmetric (verified with public keys); :func:`algorithm_family` tells them
apart so configuration can refuse a mix, and :func:`key_fits` makes sure a key
is only ever used with an algorithm of its own type. Together they close the
classic hole where a public key is replayed as an HMAC secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

Family = Literal["hmac", "rsa", "ec", "okp"]

_FAMILIES: dict[str, Family] = {
    "HS256": "hmac",
    "HS384": "hmac",
    "HS512": "hmac",
    "RS256": "rsa",
    "RS384": "rsa",
    "RS512": "rsa",
    "PS256": "rsa",
    "PS384": "rsa",
    "PS512": "rsa",
    "ES256": "ec",
    "ES384": "ec",
    "ES512": "ec",
    "ES256K": "ec",
    "EdDSA": "okp",
}
SUPPORTED_ALGORITHMS = tuple(_FAMILIES)

_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "ES256": ec.SECP256R1,
    "ES384": ec.SECP384R1,
    "ES512": ec.SECP521R1,
    "ES256K": ec.SECP256K1,
}

# Smallest HMAC secret accepted per algorithm: the hash output size (RFC 7518 §3.2).
MIN_SECRET_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}

PublicKey = (
    rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey
)


@dataclass(frozen=True)
class VerificationKey:
    """One key an issuer signs with: the key, its ``kid`` and its pinned ``alg`` if any."""

    key: PublicKey | bytes
    kid: str | None = None
    algorithm: str | None = None

    def fits(self, algorithm: str) -> bool:
        """Whether a token signed with ``algorithm`` may be verified with this key."""
        if self.algorithm is not None and self.algorithm != algorithm:
            return False
        return key_fits(algorithm, self.key)


def algorithm_family(algorithm: str) -> Family | None:
    """``"hmac"``, ``"rsa"``, ``"ec"`` or ``"okp"``; ``None`` for unknown names and ``none``."""
    return _FAMILIES.get(algorithm)


def key_fits(algorithm: str, key: PublicKey | bytes) -> bool:
    """Whether ``key`` is of the type ``algorithm`` verifies with (and the right curve)."""
    family = _FAMILIES.get(algorithm)
    if family == "hmac":
        return isinstance(key, bytes)
    if family == "rsa":
        return isinstance(key, rsa.RSAPublicKey)
    if family == "ec":
        return isinstance(key, ec.EllipticCurvePublicKey) and isinstance(
            key.curve, _CURVES[algorithm]
        )
    if family == "okp":
        return isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey)
    return False


def load_public_key(source: str | bytes | Mapping[str, Any]) -> VerificationKey:
    """A public key from PEM text or a JWK dict; raises ``ValueError`` saying why not.

    Private keys and symmetric (``oct``) JWKs are refused: a verifier only needs,
    and should only hold, public keys.
    """
    if isinstance(source, Mapping):
        return key_from_jwk(source)
    data = source.encode() if isinstance(source, str) else source
    try:
        key = load_pem_public_key(data)
    except ValueError as exc:
        raise ValueError("not a PEM-encoded public key (-----BEGIN PUBLIC KEY-----)") from exc
    if not isinstance(key, PublicKey):
        raise ValueError(f"unsupported public key type {type(key).__name__}")
    return VerificationKey(key)


def key_from_jwk(jwk: Mapping[str, Any]) -> VerificationKey:
    """A public :class:`VerificationKey` from one JWK; raises ``ValueError`` if unusable."""
    kty = jwk.get("kty")
    if kty == "oct":
        raise ValueError("symmetric ('oct') keys are not accepted as public keys")
    if "d" in jwk:
        raise ValueError(f"the JWK with kid={jwk.get('kid')!r} is a private key")
    try:
        parsed = jwt.PyJWK(dict(jwk))
    except jwt.PyJWTError as exc:
        raise ValueError(f"unusable JWK (kty={kty!r}, kid={jwk.get('kid')!r})") from exc
    key = parsed.key
    if not isinstance(key, PublicKey):
        raise ValueError(f"unsupported JWK key type {type(key).__name__}")
    kid = jwk.get("kid")
    alg = jwk.get("alg")
    return VerificationKey(
        key,
        kid=kid if isinstance(kid, str) else None,
        algorithm=alg if isinstance(alg, str) else None,
    )
