"""Passwords: Argon2id hashing (argon2-cffi, its default parameters: RFC 9106 low-memory profile)
and the shipped list of common passwords (data/common-passwords.NOTICE.md says whence)."""

from __future__ import annotations

import gzip
import secrets
from functools import cache
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
        self.dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, hashed: str, password: str) -> bool:
        try:
            return self._hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False

    def is_common(self, candidate: str) -> bool:
        return candidate in common_passwords()
