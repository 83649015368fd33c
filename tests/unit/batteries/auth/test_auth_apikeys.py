"""API keys: accepted, refused, hashed; configuration mistakes fail early."""

from __future__ import annotations

import secrets

import pytest

from veloxapi.batteries.auth import APIKeyVerifier, hash_api_key
from veloxapi.batteries.settings import ConfigurationError

KEY_A = secrets.token_urlsafe(32)
KEY_B = secrets.token_urlsafe(32)


def test_right_key_accepted_wrong_refused() -> None:
    verifier = APIKeyVerifier([KEY_A, KEY_B])
    assert verifier.verify(KEY_A)
    assert verifier.verify(KEY_B)
    assert not verifier.verify(KEY_A[:-1])
    assert not verifier.verify("")
    assert not verifier.verify("\udcff")


def test_hashed_keys() -> None:
    verifier = APIKeyVerifier(hashes=[hash_api_key(KEY_A)])
    assert verifier.verify(KEY_A)
    assert not verifier.verify(KEY_B)
    assert not verifier.verify(hash_api_key(KEY_A))


def test_keys_are_not_in_repr() -> None:
    assert KEY_A not in repr(APIKeyVerifier([KEY_A]))


@pytest.mark.parametrize(
    ("keys", "hashes", "message"),
    [
        ((), (), "at least one"),
        (["short"], (), "shorter than 16"),
        ((), ["md5:abc"], "sha256:<64 hex digits>"),
        ("a-single-key-string-not-a-list", (), "not a single string"),
    ],
)
def test_configuration_errors(keys: object, hashes: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as info:
        APIKeyVerifier(keys, hashes=hashes)  # type: ignore[arg-type]
    assert "short'" not in str(info.value)
