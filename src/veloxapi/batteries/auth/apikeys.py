"""API keys: which presented keys are accepted, compared in constant time.

Keys can be given as they are or, better, as ``sha256:<hex>`` digests (see
:func:`hash_api_key`) so the service's configuration never holds them. API keys
are long random strings, so a fast hash is the right tool here; passwords are
another matter (see :mod:`veloxapi.batteries.auth.passwords`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence

from veloxapi.batteries.settings import ConfigurationError

_HASH_PREFIX = "sha256:"
_HASH_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")
MIN_KEY_LENGTH = 16


def hash_api_key(key: str) -> str:
    """The ``sha256:<hex>`` form of ``key``, to store instead of the key itself."""
    return _HASH_PREFIX + hashlib.sha256(key.encode()).hexdigest()


class APIKeyVerifier:
    """Accepts any of the configured keys or key hashes, in constant time."""

    def __init__(self, keys: Sequence[str] = (), *, hashes: Sequence[str] = ()) -> None:
        problems = _problems(keys, hashes)
        if problems:
            raise ConfigurationError(problems)
        digests = [hashlib.sha256(key.encode()).digest() for key in keys]
        digests += [bytes.fromhex(h.removeprefix(_HASH_PREFIX)) for h in hashes]
        self._digests = tuple(digests)

    def __repr__(self) -> str:
        return f"APIKeyVerifier({len(self._digests)} keys)"

    def verify(self, presented: str) -> bool:
        """Whether ``presented`` is an accepted key.

        Every accepted digest is compared, without stopping at a match, so the
        time taken says nothing about which key matched or how closely.
        """
        digest = hashlib.sha256(presented.encode("utf-8", "surrogatepass")).digest()
        matched = False
        for accepted in self._digests:
            matched |= hmac.compare_digest(digest, accepted)
        return matched


def _problems(keys: Sequence[str], hashes: Sequence[str]) -> list[str]:
    problems = []
    if isinstance(keys, str) or isinstance(hashes, str):
        problems.append("keys and hashes must be lists of strings, not a single string")
    elif not keys and not hashes:
        problems.append("APIKeyVerifier needs at least one key or key hash")
    short = [i for i, key in enumerate(keys) if len(key) < MIN_KEY_LENGTH]
    if short and not isinstance(keys, str):
        problems.append(
            f"API keys at positions {short} are shorter than {MIN_KEY_LENGTH} characters; "
            "use long random keys (e.g. secrets.token_urlsafe(32))"
        )
    bad = [i for i, h in enumerate(hashes) if not _HASH_PATTERN.fullmatch(h)]
    if bad and not isinstance(hashes, str):
        problems.append(
            f"API key hashes at positions {bad} are not of the form sha256:<64 hex digits>; "
            "make them with hash_api_key()"
        )
    return problems
