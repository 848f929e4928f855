"""Backing up a live database and restoring it into an empty one (ADR 0200).

SQLite: the online backup API copies a consistent snapshot while writers go on (WAL lets them);
the copy is checked (`PRAGMA integrity_check`) and renamed into place, so a half-written backup
never carries the name. PostgreSQL: `pg_dump` custom format (a consistent snapshot in one
transaction), restored by `pg_restore --single-transaction --exit-on-error`, which either
restores all or nothing.

A restore refuses, before touching the target, a file that is not a backup of this system, one
that is truncated or damaged, one from a newer schema than this version knows, a backup of the
other database kind, and a target that is not empty. The SQLite target is written as a new file
beside it and renamed at the end: a refusal at any step leaves it as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL

from mdma_at.adapters.db.migrate import known_revisions
from mdma_at.domain.errors import InvalidInput

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    kind: str  # "sqlite" | "postgresql"
    revisions: frozenset[str]
    size: int


def backup(engine: Engine, out: Path) -> Backup:
    """Write a consistent backup of the database behind `engine` to `out` (which must not exist)."""
    if out.exists():
        raise InvalidInput("--out", f"{out} exists; a backup never overwrites a file")
    if not out.parent.is_dir():
        raise InvalidInput("--out", f"the directory {out.parent} does not exist")
    partial = out.with_name(f".{out.name}.partial")
    try:
        if _kind(engine) == "sqlite":
            _sqlite_backup(_sqlite_path(engine), partial)
        else:
            _pg(
                ["pg_dump", "--format=custom", "--file", str(partial)], engine.url, blame="database"
            )
        _fsync(partial)
        partial.rename(out)
    finally:
        partial.unlink(missing_ok=True)
    return inspect_backup(out)


def inspect_backup(path: Path) -> Backup:
    """What a backup file holds; InvalidInput when it is not a usable backup of this system."""
    if not path.is_file():
        raise InvalidInput("FILE", f"{path} does not exist or is not a file")
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        kind, revisions = "sqlite", _sqlite_revisions(path)
    elif head.startswith(PG_DUMP_MAGIC):
        kind, revisions = "postgresql", _pg_dump_revisions(path)
    else:
        raise InvalidInput(
            "FILE", f"{path} is not an mdma-at backup (neither an SQLite database nor a pg_dump)"
        )
    newer = sorted(revisions - known_revisions())
    if newer:
        raise InvalidInput(
            "FILE",
            f"the backup is from a newer schema (revision {', '.join(newer)} is unknown to this "
            "version of mdma-at): restore it with the version that wrote it",
        )
    return Backup(path, kind, revisions, path.stat().st_size)


def restore(path: Path, engine: Engine) -> Backup:
    """Restore the backup at `path` into the empty database behind `engine`."""
    found = inspect_backup(path)
    if found.kind != _kind(engine):
        raise InvalidInput(
            "FILE", f"a {found.kind} backup cannot be restored into a {_kind(engine)} database"
        )
    tables = sorted(inspect(engine).get_table_names())
    engine.dispose()  # no pooled handle on the file we are about to replace
    if tables:
        raise InvalidInput(
            "database",
            f"the target database is not empty ({len(tables)} tables, e.g. {tables[0]}); "
            "restore only into an empty database",
        )
    if found.kind == "sqlite":
        _sqlite_restore(path, _sqlite_path(engine))
    else:
        restore_all_or_nothing = [
            "pg_restore",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--dbname",
        ]
        _pg(restore_all_or_nothing, engine.url, blame="FILE", trailing=[str(path)])
    return found


# --- SQLite ---


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise InvalidInput("MDMA_AT_DATABASE_URL", "an in-memory database has nothing to back up")
    return Path(database)


def _sqlite_backup(source: Path, out: Path) -> None:
    with (
        closing(sqlite3.connect(source, timeout=30)) as live,
        closing(sqlite3.connect(out)) as copy,
    ):
        live.backup(copy)  # all pages in one step: one consistent snapshot
        # The copy keeps no WAL: one self-contained file.
        copy.execute("PRAGMA journal_mode = DELETE")


def _sqlite_revisions(path: Path) -> frozenset[str]:
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise InvalidInput("FILE", f"the backup is damaged: {problems[0]}")
            rows = db.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as error:  # truncated, encrypted, not a database after all
        raise InvalidInput(
            "FILE", f"the backup cannot be read ({error}): truncated or damaged"
        ) from None
    if not rows:
        raise InvalidInput("FILE", "the backup has no schema revision: not an mdma-at database")
    return frozenset(str(row[0]) for row in rows)


def _sqlite_restore(path: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with _new_file_beside(target) as fresh:
        shutil.copyfile(path, fresh)
        _fsync(fresh)
        # An empty target may still have its WAL files: they belong to the old, empty database.
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        fresh.replace(target)


@contextmanager
def _new_file_beside(target: Path) -> Iterator[Path]:
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


# --- PostgreSQL ---


def _pg_dump_revisions(path: Path) -> frozenset[str]:
    data = _run(
        ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path)],
        blame="FILE",
    )
    lines = data.splitlines()
    copy = [i for i, line in enumerate(lines) if line.startswith("COPY public.alembic_version")]
    if not copy:
        raise InvalidInput("FILE", "the dump has no schema revision: not an mdma-at database")
    values = (line.strip() for line in lines[copy[0] + 1 :])
    return frozenset(takewhile(lambda value: value != "\\.", values)) - {""}


def _pg(command: list[str], url: URL, blame: str, trailing: Sequence[str] = ()) -> None:
    """Run a PostgreSQL client with the database's address; the password goes in the
    environment (PGPASSWORD), never on the command line where `ps` would show it."""
    libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, "PGPASSWORD": url.password} if url.password else None
    _run([*command, libpq, *trailing], blame=blame, env=env)


def _run(command: list[str], blame: str, env: dict[str, str] | None = None) -> str:
    """The client's output; its failure as InvalidInput on `blame` with its last line."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    except FileNotFoundError:
        raise InvalidInput(
            blame, f"{command[0]} is not installed (the postgresql-client package)"
        ) from None
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        raise InvalidInput(blame, f"{command[0]} failed: {said[-1] if said else done.returncode}")
    return done.stdout


# --- both ---


def _kind(engine: Engine) -> str:
    return "sqlite" if engine.dialect.name == "sqlite" else "postgresql"


def _fsync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())
    with suppress(OSError):  # the directory entry too, where the platform allows it
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
