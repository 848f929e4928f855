"""The application's password hasher at a test-only cost.

Argon2id at its default (RFC 9106 low-memory: 64 MiB, 3 passes) is what production needs and
what made the service tests slow: every test's clinic hashes five passwords. The rules around the
hash (verification, common passwords, the dummy hash for unknown users) are the same; the
production parameters keep their own test (tests/unit/foundation/test_account_rules.py).
"""

from __future__ import annotations

from argon2 import PasswordHasher as Argon2
from argon2.profiles import CHEAPEST

from mdma_at.adapters.passwords import Argon2Hasher


class CheapArgon2Hasher(Argon2Hasher):
    """The application's hasher at argon2-cffi's cheapest profile: the same checks, without the
    64 MiB and the time each hash costs at the default (what dominated these tests' set-up)."""

    def __init__(self) -> None:
        super().__init__()
        self._hasher = Argon2.from_parameters(CHEAPEST)
