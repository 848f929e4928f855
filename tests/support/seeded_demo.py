"""The demo clinic seeded once into a template of each database kind, and a fresh copy of it for
each test that reads it (docs/adr/0071).

Seeding the demo through the real services takes 5-6 s on SQLite and 10-12 s on PostgreSQL;
copying a seeded template takes a fraction of a second (SQLite's online backup, PostgreSQL's
``CREATE DATABASE … TEMPLATE``). A copy must carry what the seed left outside the database and
what the seed's Container derived, or it is not the same clinic:

- the audit checkpoints (`Settings.audit_checkpoint_dir`): the signed log the audit chain is
  verified against, copied beside each copy of the database;
- the schedule seal's key, derived from the secret key: the template and every copy use the same
  default settings, so the demo study's sealed randomisation schedule opens in the copy;
- the clock: `FixedClock` at its default instant in both, so "today" is the seed's today;
- the password hasher: `CheapArgon2Hasher` in both (the demo's staff sign in with it).

Nothing else of the seed lives outside the database (`src/mdma_at/demo/` writes no file).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mdma_at.bootstrap import Container, bootstrap
from mdma_at.config import Settings
from mdma_at.demo.clinic import seed_demo_clinic
from mdma_at.services.audit import SYSTEM
from support import fixtures
from support.clock import FixedClock
from support.passwords import CheapArgon2Hasher
from support.postgres import PostgresServer
from support.server import copy_sqlite_database

#: The SQLite template's file, beside its checkpoints.
SQLITE_FILE = "clinic.db"


@dataclass(frozen=True)
class SeededDemo:
    """A seeded demo clinic that is never used itself, only copied.

    Attributes:
        directory: Holds ``checkpoints/`` and, on SQLite, the database file.
        server: The PostgreSQL server holding the template database (None on SQLite).
        database: The PostgreSQL template database's name.
    """

    directory: Path
    server: PostgresServer | None = None
    database: str = ""

    @property
    def checkpoints(self) -> Path:
        return self.directory / "checkpoints"


def demo_container(database_url: str, checkpoints: Path) -> Container:
    """The real adapters on `database_url`, as the integration tier's `ctx` builds them: the
    default settings (so the default secret key, hence the same seal key), a `FixedClock` at its
    default instant, and a cheap Argon2 hasher."""
    settings = Settings(database_url=database_url, audit_checkpoint_dir=checkpoints)
    container = bootstrap(settings, clock=FixedClock())
    container.hasher = CheapArgon2Hasher()  # the real adapters; only the hash cost is lowered
    return container


def seed_demo(database_url: str, checkpoints: Path, *, study: bool = True) -> None:
    """Seed the demo clinic into a migrated, empty database as `db seed-demo` does (with
    `study`, its running study included), then let go of every connection (PostgreSQL copies a
    template only while no one is connected)."""
    container = demo_container(database_url, checkpoints)
    seal = container.schedule_seal if study else None
    try:
        seed_demo_clinic(container.uow, container.clock, container.hasher, SYSTEM, seal)
    finally:
        container.engine.dispose()


def seed_sqlite_template(migrated: Path, directory: Path, *, study: bool = True) -> None:
    """Fill `directory` with a SQLite template (`SeededDemo(directory)`), seeded from a copy of
    the migrated file (`study`: as in `seed_demo`)."""
    copy_sqlite_database(migrated, directory / SQLITE_FILE)
    seed_demo(f"sqlite:///{directory / SQLITE_FILE}", directory / "checkpoints", study=study)


def seed_postgres_template(
    server: PostgresServer, migrated: str, directory: Path, name: str = "demo_template"
) -> SeededDemo:
    """A PostgreSQL template database `name`, seeded from a copy of the migrated template; its
    checkpoints in `directory`."""
    seed_demo(server.create_database(name, migrated), directory / "checkpoints")
    return SeededDemo(directory, server, name)


@contextmanager
def demo_copy(seeded: SeededDemo, directory: Path, hint: str = "demo") -> Iterator[Container]:
    """A Container on a fresh copy of the seeded demo and of its audit checkpoints.

    Args:
        seeded: The template.
        directory: The copy's own directory (a test's ``tmp_path``): its checkpoints, and on
            SQLite its database file.
        hint: Readable part of the PostgreSQL database's name (e.g. the test's name).

    Yields:
        The Container; its engine is disposed and a PostgreSQL copy dropped afterwards.
    """
    checkpoints = directory / "checkpoints"
    shutil.copytree(seeded.checkpoints, checkpoints)
    urls: Iterator[str]
    if seeded.server is None:
        copy_sqlite_database(seeded.directory / SQLITE_FILE, directory / SQLITE_FILE)
        urls = iter([f"sqlite:///{directory / SQLITE_FILE}"])
    else:
        urls = fixtures.postgres_database(seeded.server, hint, seeded.database)
    container = demo_container(next(urls), checkpoints)
    try:
        yield container
    finally:
        container.engine.dispose()
        next(urls, None)  # drops the PostgreSQL copy
