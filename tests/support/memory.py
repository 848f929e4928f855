"""A container for service tests on the in-memory adapters: what `ctx` offers the integration
tests (units of work, a clock the test moves, a password hasher), without a database."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from mdma_at.adapters.memory.store import MemoryDatabase
from mdma_at.adapters.memory.uow import MemoryUnitOfWork
from mdma_at.services.ports import PasswordHasher, UnitOfWork
from support.clock import FixedClock
from support.passwords import CheapArgon2Hasher


@dataclass
class MemoryContainer:
    clock: FixedClock = field(default_factory=FixedClock)
    database: MemoryDatabase = field(default_factory=MemoryDatabase)

    def uow(self) -> UnitOfWork:
        return MemoryUnitOfWork(self.database)

    @cached_property
    def hasher(self) -> PasswordHasher:
        return CheapArgon2Hasher()
