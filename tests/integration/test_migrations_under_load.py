"""`mdma-at db upgrade` on PostgreSQL while the clinic keeps writing (issue 18 item 5; ADR 0206).

A database at an earlier revision holds a year of demo-scale history (support.history); the real
`db upgrade` runs as a subprocess while a writer records vital signs (and now and then registers
a patient) through the app's own repositories, one short transaction each, every one with
`lock_timeout = 1s`. The issue's bar: no lock that blocks writers for more than a second. A wait
longer than that fails the writer's statement with SQLSTATE 55P03, which the test collects; every
write the writer saw committed must be in the database afterwards.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import DBAPIError

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.engine import make_engine
from mdma_at.adapters.db.migrate import current_revisions, head_revisions, upgrade
from mdma_at.adapters.db.repositories import SqlAuditLog
from mdma_at.adapters.db.session_repositories import SqlDosingSessionEntries
from mdma_at.domain.audit import AuditContent, utc_stamp
from mdma_at.domain.dosing.records import EntryKind, NewEntry
from mdma_at.domain.errors import Conflict
from support import fixtures
from support.history import load_year
from support.postgres import PostgresServer
from support.server import app_env

pytestmark = pytest.mark.postgres

#: The revision the clinic runs before the upgrade: after it, revisions 0009-0030 add columns to
#: `sites` and `questionnaire_links` and create ~25 tables whose foreign keys point at `patients`,
#: `sites`, `users`, `visits` and `dosing_sessions`, each of which locks the table it points at.
EARLIER = "0005"
#: The issue's bar (issue 18 item 5): no writer waits for a lock longer than a second.
WRITER_LOCK_TIMEOUT = "1s"
WRITER = "load writer"
#: One registration among this many writes: `patients` is what most new foreign keys point at.
PATIENT_EVERY = 5


class Writer(threading.Thread):
    """Records vital signs until stopped, each write in its own transaction under the lock
    timeout; keeps the ids it saw committed and every error."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.engine = engine
        self.stopping = threading.Event()
        self.entries: list[int] = []
        self.patients: list[str] = []
        self.failures: list[str] = []

    def run(self) -> None:
        number = 0
        while not self.stopping.is_set():
            number += 1
            try:
                self._write(number)
            except DBAPIError as error:
                self.failures.append(f"write {number}: {error.orig!r}")
            time.sleep(0.005)  # a busy ward, not a benchmark: leave the migration a core

    def _write(self, number: int) -> None:
        now = datetime.now(UTC)
        study_id = f"LOAD-{number}" if number % PATIENT_EVERY == 0 else None
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{WRITER_LOCK_TIMEOUT}'")
            entry = SqlDosingSessionEntries(connection).append(
                1 + number % 900,
                NewEntry(now, EntryKind.VITALS, {"systolic": 122, "diastolic": 78}),
                None,
                WRITER,
                None,
                now,
            )
            if study_id:
                connection.execute(
                    insert(t.patients).values(
                        site_id=1,
                        study_id=study_id,
                        name="Load Test",
                        date_of_birth=date(1980, 1, 1),
                        sex="female",
                    )
                )
            SqlAuditLog(connection).append(
                AuditContent(
                    occurred_at=utc_stamp(now),
                    actor_id=None,
                    actor=WRITER,
                    role=None,
                    site_id=1,
                    action="entry_recorded",
                    entity_type="dosing_session_event",
                    entity_id=str(entry.id),
                    before=None,
                    after=None,
                    reason=None,
                )
            )
        self.entries.append(entry.id)
        if study_id:
            self.patients.append(study_id)


def test_db_upgrade_blocks_no_writer_for_a_second_on_a_year_of_data(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    for url in fixtures.postgres_database(postgres_server, "migrations_under_load"):
        engine = make_engine(url)
        try:
            upgrade(engine, EARLIER)
            written = load_year(engine)
            assert written["dosing_session_events"] == 36_000  # 900 sessions x 40 (YEAR)

            writer = Writer(engine)
            writer.start()
            while not writer.entries and not writer.failures:  # the ward is busy before it starts
                time.sleep(0.01)
            before = len(writer.entries)
            env = app_env(tmp_path, {"MDMA_AT_DATABASE_URL": url})
            env["MDMA_AT_AUDIT_CHECKPOINT_DIR"] = str(tmp_path / "checkpoints")
            done = subprocess.run(
                [sys.executable, "-m", "mdma_at", "db", "upgrade"],
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            during = len(writer.entries) - before
            writer.stopping.set()
            writer.join(timeout=30)

            assert done.returncode == 0, done.stderr
            assert current_revisions(engine) == head_revisions()
            assert writer.failures == [], "a writer waited on a lock for a second or more"
            assert during > 0, "the writer must have been writing while the upgrade ran"
            with engine.connect() as connection:
                stored = set(
                    connection.scalars(
                        select(t.dosing_session_events.c.id).where(
                            t.dosing_session_events.c.recorded_by_name == WRITER
                        )
                    )
                )
                registered = connection.scalar(
                    select(func.count()).where(t.patients.c.study_id.in_(writer.patients))
                )
            assert stored == set(writer.entries)
            assert registered == len(writer.patients)
        finally:
            engine.dispose()


def test_a_migration_behind_a_long_transaction_gives_up_and_resumes_later(
    postgres_server: PostgresServer,
) -> None:
    """A report reading `sites` in a long transaction: revision 0010, which adds columns to
    `sites`, must not queue for its lock (every writer would queue behind it); it gives up with
    the reason, and a later `db upgrade` carries on from where it stopped."""
    for url in fixtures.postgres_database(postgres_server, "migration_behind_report"):
        engine = make_engine(url)
        try:
            upgrade(engine, EARLIER)
            with engine.connect() as report:
                report.execute(select(func.count()).select_from(t.sites))  # holds ACCESS SHARE
                with pytest.raises(Conflict, match="waited 2 times for a table lock"):
                    upgrade(engine, lock_attempts=2, lock_pause_seconds=0)
                stopped = current_revisions(engine)
                report.rollback()
            assert "0010" not in stopped and stopped != head_revisions()
            upgrade(engine)
            assert current_revisions(engine) == head_revisions()
        finally:
            engine.dispose()
