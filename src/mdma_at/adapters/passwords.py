"""Passwords: Argon2id hashing (argon2-cffi, its default parameters: RFC 9106 low-memory profile)
and the shipped list of common passwords (data/common-passwords.NOTICE.md says whence)."""

from __future__ import annotations

import gzip
import secrets
from functools import cache, cached_property
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@cache
def common_passwords() -> frozenset[str]:
    """The 19,640 most common passwords, lower-cased (loaded once, on first use)."""
    data = files("mdma_at.adapters").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


class Argon2Hasher:
    def __init__(self) -> None:
        self._hasher = PasswordHasher()

    @cached_property
    def dummy_hash(self) -> str:
        """A hash of a random secret, verified in place of an unknown user's, so that the
        answer takes as long as for a known one. Made on first use, not with the hasher: a
        command that signs in a known user would pay a second hash for nothing; the server
        makes it before its first request (`create_app`)."""
        return self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, hashed: str, password: str) -> bool:
        try:
            return self._hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False

    def is_common(self, candidate: str) -> bool:
        return candidate in common_passwords()
