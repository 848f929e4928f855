"""Service tests on the in-memory adapters (the fast tier, ADR 0006).

The test modules here import use-case tests from tests/integration and run the same bodies
with this `ctx`, so one test states the rule and runs on the fake here and on SQLite and
PostgreSQL there; `tests/contract` is what makes the fake a fair stand-in.
"""

from __future__ import annotations

import pytest

from support.clinic import Clinic, build_clinic
from support.memory import MemoryContainer


@pytest.fixture
def ctx() -> MemoryContainer:
    return MemoryContainer()


@pytest.fixture
def clinic(ctx: MemoryContainer) -> Clinic:
    return build_clinic(ctx)  # type: ignore[arg-type]  # duck-typed: uow, clock, hasher
