"""Every contract test runs on each adapter of the UnitOfWork port: the in-memory fake, SQLite and
PostgreSQL. What passes here is what the services may rely on, whichever adapter they get."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mdma_at.adapters.db.engine import make_engine
from mdma_at.adapters.db.uow import SqlUnitOfWork
from mdma_at.adapters.memory.store import MemoryDatabase
from mdma_at.adapters.memory.uow import MemoryUnitOfWork
from mdma_at.services.ports import UnitOfWork
from support import fixtures
from support.server import copy_sqlite_database

BACKENDS = ["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

UowFactory = Callable[[], UnitOfWork]


@pytest.fixture(params=BACKENDS)
def new_uow(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UowFactory]:
    """Opens units of work on one empty store of this test alone (migrated, for SQL)."""
    if request.param == "memory":
        database = MemoryDatabase()
        yield lambda: MemoryUnitOfWork(database)
        return
    if request.param == "sqlite":
        copy_sqlite_database(request.getfixturevalue("migrated_sqlite"), tmp_path / "test.db")
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'test.db'}"])
    else:
        server = request.getfixturevalue("postgres_server")
        template = request.getfixturevalue("migrated_postgres")
        urls = fixtures.postgres_database(server, request.node.name, template)
    engine = make_engine(next(urls))
    yield lambda: SqlUnitOfWork(engine)  # no checkpoint log: signing is not the port's concern
    engine.dispose()
    for _ in urls:  # drops the PostgreSQL database
        pass
