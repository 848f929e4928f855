"""A container for service tests on the in-memory adapters: what `ctx` offers the integration
tests (units of work, a clock the test moves, a password hasher), without a database."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from argon2 import PasswordHasher as Argon2
from argon2.profiles import CHEAPEST

from mdma_at.adapters.memory.store import MemoryDatabase
from mdma_at.adapters.memory.uow import MemoryUnitOfWork
from mdma_at.adapters.passwords import Argon2Hasher
from mdma_at.services.ports import PasswordHasher, UnitOfWork
from support.clock import FixedClock


class CheapArgon2Hasher(Argon2Hasher):
    """The application's hasher at argon2-cffi's cheapest profile: the same checks, without the
    64 MiB and the time each hash costs at the default (what dominated these tests' set-up)."""

    def __init__(self) -> None:  # not super().__init__: it would make one costly hash
        self._hasher = Argon2.from_parameters(CHEAPEST)
        self.dummy_hash = self._hasher.hash("not anyone's password")


@dataclass
class MemoryContainer:
    clock: FixedClock = field(default_factory=FixedClock)
    database: MemoryDatabase = field(default_factory=MemoryDatabase)

    def uow(self) -> UnitOfWork:
        return MemoryUnitOfWork(self.database)

    @cached_property
    def hasher(self) -> PasswordHasher:
        return CheapArgon2Hasher()
