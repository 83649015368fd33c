"""What one trusted issuer is: its keys, algorithms, audience and required claims.

:class:`Issuer` checks itself when built, so a validator can only be made of
issuers that are safe to serve: algorithms never include ``none`` and never mix
HMAC with asymmetric ones, ``aud`` cannot be required without an audience to
match, and every issuer has exactly one source of keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from veloxapi.batteries.settings import ConfigurationError

from .keys import (
    MIN_SECRET_BYTES,
    SUPPORTED_ALGORITHMS,
    VerificationKey,
    algorithm_family,
    load_public_key,
)

DEFAULT_REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud")
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Issuer:
    """One identity provider the validator trusts.

    Give exactly one key source: ``secret`` (HMAC), ``public_keys`` (PEM text or
    JWK dicts), ``jwks_url``, or ``discovery=True`` to find the JWKS through
    ``{issuer}/.well-known/openid-configuration``.
    """

    issuer: str
    algorithms: Sequence[str] = ("RS256",)
    audience: str | Sequence[str] | None = None
    secret: str | bytes | None = field(default=None, repr=False)
    public_keys: Sequence[str | bytes | Mapping[str, Any]] = ()
    jwks_url: str | None = None
    discovery: bool = False
    leeway: float = 0.0
    required_claims: Sequence[str] = DEFAULT_REQUIRED_CLAIMS
    scopes_claim: str = "scope"

    def __post_init__(self) -> None:
        problems = [
            *self._algorithm_problems(),
            *self._key_source_problems(),
            *self._claim_problems(),
        ]
        if problems:
            raise ConfigurationError([f"Issuer({self.issuer!r}): {p}" for p in problems])

    @property
    def family(self) -> str | None:
        """The algorithm family all of this issuer's algorithms belong to."""
        return algorithm_family(self.algorithms[0]) if self.algorithms else None

    @property
    def audiences(self) -> list[str] | None:
        if self.audience is None:
            return None
        return [self.audience] if isinstance(self.audience, str) else list(self.audience)

    @property
    def uses_remote_keys(self) -> bool:
        return self.jwks_url is not None or self.discovery

    def static_keys(self) -> list[VerificationKey]:
        """The keys given in code: the secret, or the loaded public keys."""
        if self.secret is not None:
            secret = self.secret.encode() if isinstance(self.secret, str) else self.secret
            return [VerificationKey(secret)]
        return [load_public_key(source) for source in self.public_keys]

    def _algorithm_problems(self) -> list[str]:
        if not self.algorithms or isinstance(self.algorithms, str):
            return [f"algorithms={self.algorithms!r}: give a list such as ['RS256']"]
        unknown = [a for a in self.algorithms if algorithm_family(a) is None]
        if unknown:
            return [
                f"algorithms {unknown!r} are not accepted ('none' never is); "
                f"choose from {list(SUPPORTED_ALGORITHMS)}"
            ]
        families = {algorithm_family(a) for a in self.algorithms}
        if "hmac" in families and len(families) > 1:
            return [
                f"algorithms={list(self.algorithms)!r} mix HMAC and asymmetric algorithms, "
                "which would let a public key be used as an HMAC secret; "
                "use a separate Issuer for each"
            ]
        return []

    def _key_source_problems(self) -> list[str]:
        sources = [
            name
            for name, given in (
                ("secret", self.secret is not None),
                ("public_keys", bool(self.public_keys)),
                ("jwks_url", self.jwks_url is not None),
                ("discovery", self.discovery),
            )
            if given
        ]
        if len(sources) != 1:
            return [
                f"give exactly one key source (secret, public_keys, jwks_url or "
                f"discovery=True); got {sources or 'none'}"
            ]
        if self.family == "hmac" and sources[0] != "secret":
            return [f"HMAC algorithms {list(self.algorithms)!r} need a secret, not {sources[0]}"]
        if self.family != "hmac" and sources[0] == "secret":
            return [
                f"a secret only verifies HMAC algorithms (HS256...), not {list(self.algorithms)!r}"
            ]
        return self._source_value_problems()

    def _source_value_problems(self) -> list[str]:
        if self.secret is not None:
            length = len(self.secret.encode() if isinstance(self.secret, str) else self.secret)
            needed = {a: MIN_SECRET_BYTES[a] for a in self.algorithms if a in MIN_SECRET_BYTES}
            strictest = max(needed, key=needed.__getitem__, default=None)
            if strictest is not None and length < needed[strictest]:
                return [
                    f"the secret is {length} bytes; {strictest} needs at least {needed[strictest]}"
                ]
            return []
        for url in (self.jwks_url, self.issuer if self.discovery else None):
            if url is not None and not is_safe_url(url):
                return [f"{url!r} must be an https:// URL (http:// is allowed only on loopback)"]
        try:
            keys = self.static_keys()
        except ValueError as exc:
            return [f"public_keys: {exc}"]
        return [
            f"public key {i} (kid={k.kid!r}) fits none of the algorithms {list(self.algorithms)!r}"
            for i, k in enumerate(keys)
            if not any(k.fits(a) for a in self.algorithms)
        ]

    def _claim_problems(self) -> list[str]:
        problems = []
        if "aud" in self.required_claims and not self.audiences:
            problems.append(
                "'aud' is a required claim but no audience is set; set audience='your-api' "
                "(or remove 'aud' from required_claims)"
            )
        if self.leeway < 0:
            problems.append(f"leeway={self.leeway!r} must not be negative")
        if not self.issuer:
            problems.append("the issuer must be a non-empty string")
        return problems


def is_safe_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
