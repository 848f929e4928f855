"""Backing up while the clinic writes, restoring into an empty database, and the audit trail
after it (issue 18 item 2; ADR 0200). On SQLite and PostgreSQL, through the real adapters."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.backup import backup, inspect_backup, restore
from mdma_at.bootstrap import Container, bootstrap
from mdma_at.config import Settings
from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.services.audit import mark_restore_point, verify_audit_chain
from support import fixtures
from support.clinic import Clinic, register
from support.clock import FixedClock
from support.db import row_counts
from support.passwords import CheapArgon2Hasher


@contextmanager
def empty_database(ctx: Container, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the same kind as the one behind `ctx`."""
    if ctx.engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        yield from fixtures.postgres_database(server, "restored")


@contextmanager
def container_on(url: str, ctx: Container) -> Iterator[Container]:
    """The same clinic's configuration (its checkpoint log) on another database."""
    settings = Settings(database_url=url, audit_checkpoint_dir=ctx.settings.audit_checkpoint_dir)
    other = bootstrap(settings, clock=FixedClock())
    other.hasher = CheapArgon2Hasher()
    try:
        yield other
    finally:
        other.engine.dispose()


def study_ids(container: Container) -> set[str]:
    with container.engine.connect() as db:
        return set(db.scalars(select(t.patients.c.study_id)))


def test_a_backup_taken_while_writers_run_restores_every_acknowledged_write(
    ctx: Container, clinic: Clinic, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    acknowledged_before_backup: set[str] = set()
    acknowledged: list[str] = []
    backup_started = threading.Event()
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer(prefix: str) -> None:
        number = 0
        try:
            while not stop.is_set() and number < 200:
                number += 1
                study_id = f"{prefix}-{number:04d}"
                register(ctx, clinic, study_id)
                # Acknowledged: the service returned after its commit.
                if not backup_started.is_set():
                    acknowledged_before_backup.add(study_id)
                acknowledged.append(study_id)
        except BaseException as error:  # surfaced in the test thread below
            failures.append(error)

    writers = [threading.Thread(target=writer, args=(f"W{n}",)) for n in range(3)]
    for thread in writers:
        thread.start()
    while len(acknowledged) < 15 and not failures:
        stop.wait(0.01)
    backup_started.set()
    written = backup(ctx.engine, tmp_path / "clinic.backup")
    stop.set()
    for thread in writers:
        thread.join()
    assert not failures
    assert len(acknowledged) > len(acknowledged_before_backup) >= 15

    with empty_database(ctx, request, tmp_path) as url, container_on(url, ctx) as restored_ctx:
        restore(written.path, restored_ctx.engine)
        restored = study_ids(restored_ctx)
        # Every write acknowledged before the backup began is in it; whatever else it holds is
        # writes that were acknowledged later (a consistent snapshot: nothing half-made).
        assert acknowledged_before_backup <= restored
        assert restored - {"HC-0001"} <= set(acknowledged)

        point = mark_restore_point(restored_ctx.uow(), restored_ctx.checkpoints, restored_ctx.clock)
        # The live database went on writing after the snapshot: the checkpoint log signed those
        # events, which the restore lost and now names.
        with ctx.uow() as uow:
            live_head = uow.audit.head()
        assert live_head is not None
        assert point.lost_events == live_head[0] - point.events > 0

        verdict = verify_audit_chain(restored_ctx.uow(), restored_ctx.checkpoints)
        assert verdict.intact, verdict.reason
        # Writing on after the restore keeps the trail verifiable: new events are signed after
        # the restore point, over positions the lost events once held.
        register(restored_ctx, clinic, "AFTER-0001")
        verdict = verify_audit_chain(restored_ctx.uow(), restored_ctx.checkpoints)
        assert verdict.intact, verdict.reason


def test_a_restored_trail_that_contradicts_the_checkpoint_log_is_not_signed(
    ctx: Container, clinic: Clinic, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    register(ctx, clinic, "HC-0002")
    written = backup(ctx.engine, tmp_path / "clinic.backup")
    with empty_database(ctx, request, tmp_path) as url, container_on(url, ctx) as restored_ctx:
        restore(written.path, restored_ctx.engine)
        # The backup is altered after it was written: one event's content rewritten (as an
        # owner could, triggers dropped; the hash no longer matches what the log signed).
        with restored_ctx.engine.begin() as db:
            if db.dialect.name == "postgresql":
                db.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
            else:
                for trigger in db.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name = 'audit_events'"
                ).scalars():
                    db.exec_driver_sql(f'DROP TRIGGER "{trigger}"')
            db.execute(
                t.audit_events.update().where(t.audit_events.c.id == 2).values(reason="edited")
            )
        log_before = restored_ctx.checkpoints.read()
        with pytest.raises(Conflict, match="does not match the checkpoint log"):
            mark_restore_point(restored_ctx.uow(), restored_ctx.checkpoints, restored_ctx.clock)
        assert restored_ctx.checkpoints.read() == log_before  # no restore point signed


def test_restore_refuses_what_is_not_a_usable_backup_and_leaves_the_target_untouched(
    ctx: Container, clinic: Clinic, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    good = backup(ctx.engine, tmp_path / "clinic.backup").path
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup\n")
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    refusals = {
        junk: "is not an mdma-at backup",
        truncated: "truncated or damaged" if ctx.engine.dialect.name == "sqlite" else "failed",
        tmp_path / "missing.backup": "does not exist",
    }
    with empty_database(ctx, request, tmp_path) as url, container_on(url, ctx) as target:
        for bad, reason in refusals.items():
            with pytest.raises(InvalidInput, match=reason) as refused:
                restore(bad, target.engine)
            assert refused.value.field == "FILE"
            assert row_counts(url) == {}  # nothing restored, not even half

    # A target that already holds a clinic is never overwritten.
    before = row_counts(str(ctx.engine.url.render_as_string(hide_password=False)))
    with pytest.raises(InvalidInput, match="not empty") as refused:
        restore(good, ctx.engine)
    assert refused.value.field == "database"
    assert row_counts(str(ctx.engine.url.render_as_string(hide_password=False))) == before


def test_a_backup_from_a_newer_schema_is_refused(tmp_path: Path, migrated_sqlite: Path) -> None:
    newer = tmp_path / "newer.backup"
    newer.write_bytes(migrated_sqlite.read_bytes())
    with closing(sqlite3.connect(newer)) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
        db.commit()
    with pytest.raises(InvalidInput, match=r"newer schema \(revision 9999"):
        inspect_backup(newer)


def test_a_backup_never_overwrites_a_file(ctx: Container, tmp_path: Path) -> None:
    existing = tmp_path / "clinic.backup"
    existing.write_text("yesterday's backup")
    with pytest.raises(InvalidInput, match="never overwrites") as refused:
        backup(ctx.engine, existing)
    assert refused.value.field == "--out"
    assert existing.read_text() == "yesterday's backup"
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == ["clinic.backup"]
