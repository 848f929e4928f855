"""Every integration test runs twice: on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mdma_at.adapters.db.migrate import upgrade
from mdma_at.bootstrap import Container, bootstrap
from mdma_at.config import Settings
from support import fixtures
from support.clinic import Clinic, build_clinic
from support.clock import FixedClock
from support.postgres import PostgresServer


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    yield from fixtures.postgres_server()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        yield from fixtures.postgres_database(server, request.node.name)


@pytest.fixture
def ctx(database_url: str, tmp_path: Path) -> Iterator[Container]:
    """A migrated, empty database behind the real adapters, with a clock the test controls."""
    settings = Settings(database_url=database_url, audit_checkpoint_dir=tmp_path / "checkpoints")
    container = bootstrap(settings, clock=FixedClock())
    upgrade(container.engine)
    yield container
    container.engine.dispose()


@pytest.fixture
def clinic(ctx: Container) -> Clinic:
    return build_clinic(ctx)
