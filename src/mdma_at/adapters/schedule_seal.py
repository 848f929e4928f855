"""Sealing the randomisation seed (ADR 0160): Fernet (AES-128-CBC with HMAC-SHA256, from the
`cryptography` package) under a key that lives in the server's settings, never in the database.

A reader of the database sees the sealed text and a SHA-256 commitment, neither of which tells
the next allocation; the running server opens the seed only to compute one allocation.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mdma_at.domain.errors import IntegrityError


def derive_seal_key(secret: str) -> bytes:
    """A Fernet key derived from a secret setting (HKDF-SHA256, RFC 5869), with its own label so
    it differs from every other key derived from the same secret."""
    raw = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"mdma-at randomisation seal v1"
    ).derive(secret.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


class FernetScheduleSeal:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, seed: str) -> str:
        return self._fernet.encrypt(seed.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as error:
            raise IntegrityError(
                "the sealed randomisation seed does not open with this server's key "
                "(MDMA_AT_RANDOMISATION_KEY or MDMA_AT_SECRET_KEY changed, or the row was altered)"
            ) from error
