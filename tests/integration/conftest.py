"""Every integration test runs twice: on SQLite and on a real PostgreSQL server (the migrated
databases they copy, and the seeded demo clinics `demo_ctx` copies, are made once in
tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mdma_at.bootstrap import Container, bootstrap
from mdma_at.config import Settings
from support import fixtures
from support.clinic import Clinic, build_clinic
from support.clock import FixedClock
from support.passwords import CheapArgon2Hasher
from support.seeded_demo import demo_copy
from support.server import copy_sqlite_database

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (for the migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        yield from fixtures.postgres_database(server, request.node.name)


@pytest.fixture(params=DATABASES)
def migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test alone, at the latest revision, as `db upgrade` leaves it."""
    if request.param == "sqlite":
        copy_sqlite_database(request.getfixturevalue("migrated_sqlite"), tmp_path / "test.db")
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        template = request.getfixturevalue("migrated_postgres")
        yield from fixtures.postgres_database(server, request.node.name, template)


@pytest.fixture
def ctx(migrated_database_url: str, tmp_path: Path) -> Iterator[Container]:
    """A migrated, empty database behind the real adapters, with a clock the test controls."""
    settings = Settings(
        database_url=migrated_database_url, audit_checkpoint_dir=tmp_path / "checkpoints"
    )
    container = bootstrap(settings, clock=FixedClock())
    container.hasher = CheapArgon2Hasher()  # the real adapters; only the hash cost is lowered
    yield container
    container.engine.dispose()


@pytest.fixture(params=DATABASES)
def demo_ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    """The demo clinic as `db seed-demo` seeds it (its running study included), for this test
    alone: a fresh copy of a template seeded once (ADR 0071), with its audit checkpoints, behind
    the real adapters with the same FixedClock, hasher and seal key as `ctx`."""
    kind = "sqlite" if request.param == "sqlite" else "postgres"
    with demo_copy(
        request.getfixturevalue(f"seeded_demo_{kind}"), tmp_path, request.node.name
    ) as c:
        yield c


@pytest.fixture
def clinic(ctx: Container) -> Clinic:
    return build_clinic(ctx)
