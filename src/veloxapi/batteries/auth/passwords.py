"""Password hashing with Argon2 (through pwdlib), for services that keep users."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError
from pwdlib.hashers.argon2 import Argon2Hasher


class PasswordHasher:
    """Hashes and verifies passwords with Argon2id.

    :meth:`verify` spends the same effort whether or not the user exists
    (pass ``None`` as the hash), so response times do not reveal user names.
    """

    def __init__(self) -> None:
        self._hash = PasswordHash((Argon2Hasher(),))
        self._dummy = self._hash.hash("veloxapi-timing-equaliser")

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, password_hash: str | None) -> bool:
        """Whether ``password`` matches ``password_hash`` (``None``: unknown user, False)."""
        if password_hash is None:
            self._hash.verify(password, self._dummy)
            return False
        try:
            return self._hash.verify(password, password_hash)
        except PwdlibError:  # an unreadable stored hash is no match, and no 500
            return False
