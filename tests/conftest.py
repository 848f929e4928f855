"""Fixtures shared by the tiers that need a database: one throwaway PostgreSQL server and one
migrated database of each kind per worker, which each test copies (integration, contract), and
the demo clinic seeded into a template of each kind (ADR 0071).

Imports are made inside the fixtures, so the unit tier, which loads this file too, does not pay
for SQLAlchemy, Alembic and Playwright.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from support.postgres import PostgresServer
    from support.seeded_demo import SeededDemo


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    from support import fixtures

    yield from fixtures.postgres_server()


def _migrate(url: str, checkpoints: Path) -> None:
    from mdma_at.adapters.db.migrate import upgrade
    from mdma_at.bootstrap import bootstrap
    from mdma_at.config import Settings
    from support.clock import FixedClock

    settings = Settings(database_url=url, audit_checkpoint_dir=checkpoints)
    container = bootstrap(settings, clock=FixedClock())
    upgrade(container.engine)
    container.engine.dispose()  # PostgreSQL copies a template only while no one is connected


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per worker, copied for each test (Alembic costs ≈ 0.5 s)."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.db"
    _migrate(f"sqlite:///{path}", path.parent / "checkpoints")
    return path


@pytest.fixture(scope="session")
def migrated_postgres(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A PostgreSQL database migrated once per worker, the template of each test's database."""
    name = "migrated_template"
    _migrate(postgres_server.create_database(name), tmp_path_factory.mktemp("checkpoints"))
    return name


@pytest.fixture(scope="session")
def seeded_demo_sqlite(
    migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory
) -> SeededDemo:
    """The demo clinic seeded into a SQLite template once per test run (every worker copies the
    same file, `support.once`); never used itself: `support.seeded_demo.demo_copy` copies it."""
    from support.once import once_per_run
    from support.seeded_demo import SeededDemo, seed_sqlite_template

    return SeededDemo(
        once_per_run(
            tmp_path_factory,
            "seeded-demo-sqlite",
            lambda directory: seed_sqlite_template(migrated_sqlite, directory),
        )
    )


@pytest.fixture(scope="session")
def seeded_demo_sqlite_without_study(
    migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory
) -> SeededDemo:
    """As `seeded_demo_sqlite`, without the demo's running study: for a test that sets up a
    study of its own and must find no other (the blind-leak walk: the demo study's title names
    its placebo arm, a word the walk looks for)."""
    from support.once import once_per_run
    from support.seeded_demo import SeededDemo, seed_sqlite_template

    return SeededDemo(
        once_per_run(
            tmp_path_factory,
            "seeded-demo-sqlite-without-study",
            lambda directory: seed_sqlite_template(migrated_sqlite, directory, study=False),
        )
    )


@pytest.fixture(scope="session")
def seeded_demo_postgres(
    postgres_server: PostgresServer,
    migrated_postgres: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> SeededDemo:
    """The demo clinic seeded into a PostgreSQL template database once per worker (each worker
    has its own server); never used itself: `support.seeded_demo.demo_copy` copies it."""
    from support.seeded_demo import seed_postgres_template

    return seed_postgres_template(
        postgres_server, migrated_postgres, tmp_path_factory.mktemp("seeded-demo-postgres")
    )
