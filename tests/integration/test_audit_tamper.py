"""The tamper suite (issue 10): every attack on the audit trail with direct database access is
either refused by the database or detected by `mdma-at audit verify`, on SQLite and PostgreSQL.

Each test starts from a copy of one demo clinic (every append-only table has rows), seeded once
per database. On PostgreSQL the application runs as a role that does not own the schema (the
grants of `mdma-at db upgrade`); the "owner" is the role that ran the migrations, the attacker
with the most power short of the server itself. On SQLite anyone who can write the file is that
owner. What is refused and what is only detected is the threat model of ADR 0105.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.engine import make_engine
from mdma_at.adapters.db.migrate import grant_runtime_role, upgrade
from mdma_at.adapters.db.uow import SqlUnitOfWork
from mdma_at.bootstrap import Container, bootstrap
from mdma_at.config import Settings
from mdma_at.demo.clinic import seed_demo_clinic
from mdma_at.domain.audit import AuditContent, AuditEvent, ChainVerdict, chain_hash
from mdma_at.domain.errors import IntegrityError
from mdma_at.services.access.site_protocol import set_site_value
from mdma_at.services.access.staff import add_site
from mdma_at.services.audit import SYSTEM, verify_audit_chain
from support.cli import mdma_at, mdma_at_in_process
from support.postgres import PostgresServer
from support.register_seed import stock_register
from support.seeded_demo import demo_container, demo_copy
from support.trial_seed import run_a_small_study

SEALED = [table.name for table in t.SEALED_TABLES]
APPEND_ONLY = [table.name for table in t.APPEND_ONLY_TABLES]
# One column per sealed table that a forger would change, as SQL that changes it on both databases.
CHANGES = {
    "screenings": "decision = 'eligible_forged'",
    "screening_signatures": "override_reason = COALESCE(override_reason, '') || ' (forged)'",
    "consent_documents": "text = text || ' (forged)'",
    "consent_signatures": "signed_name = signed_name || ' (forged)'",
    "consent_withdrawals": "reason = reason || ' (forged)'",
    "instrument_administrations": "total = COALESCE(total, 0) + 1",
    "instrument_item_answers": "value = COALESCE(value, 0) + 1",
    "instrument_alerts": "reason = reason || ' (forged)'",
    "instrument_alert_acknowledgements": "action_taken = action_taken || ' (forged)'",
    "dosing_session_events": "payload = payload || ' '",
    "register_containers": "lot = lot || ' (forged)'",
    "register_movements": "quantity = quantity + 1",
    "register_counts": "counted = counted + 1",
    "register_discrepancies": "difference = difference + 1",
    "register_resolutions": "reason = reason || ' (forged)'",
    # the demo pharmacist closed them; the last demo user (the statistician) did not
    "register_periods": "closed_by = (SELECT max(id) FROM users)",
    "register_session_closes": "closed_by = (SELECT max(id) FROM users)",
    "site_protocol_values": "value = COALESCE(value, 0) + 1",
    "therapy_notes": "duration_minutes = duration_minutes + 1",
    "therapy_note_addenda": "text = text || ' (forged)'",
    "check_ins": "suds = suds + 1",
    "study_participants": "levels = levels || ' '",
    "study_allocations": "position = position + 100",
    "unblinding_requests": "reason = reason || ' (forged)'",
    "unblinding_approvals": "approved_by = (SELECT max(id) FROM users)",
    # the demo's study (demo/trial.py): r.blind is assigned; the last user is the statistician
    "rating_assignments": "rater_id = (SELECT max(id) FROM users)",
    "blinding_guesses": "guess = 'forged'",
}
# Rows nothing else references, so deleting one breaks no foreign key.
LEAVES = ["instrument_item_answers", "consent_withdrawals", "dosing_session_events"]
_numbers = itertools.count(1)
REFUSED = re.compile(r"append-only|permission denied")


@dataclass
class Trail:
    """One copy of the demo clinic: the application, the owner's engine, the CLI's environment."""

    app: Container
    owner: Engine
    env: dict[str, str]
    sqlite_path: Path | None

    @property
    def postgres(self) -> bool:
        return self.sqlite_path is None

    def verify(self) -> ChainVerdict:
        return verify_audit_chain(self.app.uow(), self.app.checkpoints, self.app.clock)

    def as_owner(self, *statements: str) -> None:
        with self.owner.begin() as db:
            for statement in statements:
                db.execute(text(statement))

    def as_app(self, *statements: str) -> None:
        with self.app.engine.begin() as db:
            for statement in statements:
                db.execute(text(statement))

    def drop_triggers(self, table: str) -> None:
        """What an owner does first: the database refuses every rewrite while they exist."""
        if self.postgres:
            self.as_owner(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            self.as_owner(*(f"DROP TRIGGER IF EXISTS {table}_{verb}" for verb in _SQLITE_TRIGGERS))

    def events(self) -> list[AuditEvent]:
        with self.app.uow() as uow:
            return list(uow.audit.events())


_SQLITE_TRIGGERS = ("no_update", "no_delete", "no_overwrite")


@dataclass
class Seed:
    kind: str
    directory: Path
    server: PostgresServer | None = None
    owner_role: str = ""
    app_role: str = ""
    database: str = ""


def _settings(url: str, checkpoints: Path) -> Settings:
    return Settings(database_url=url, audit_checkpoint_dir=checkpoints)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def seed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seed]:
    """The demo clinic, seeded once per database through the application (on PostgreSQL as its
    runtime role; on SQLite, which has no roles, a copy of the seeded demo, ADR 0071), with a row
    in every append-only table."""
    directory = tmp_path_factory.mktemp("tamper-seed")
    if request.param == "sqlite":
        with demo_copy(request.getfixturevalue("seeded_demo_sqlite"), directory) as app:
            _fill_every_table(app)  # into directory: clinic.db and checkpoints/, as `trail` reads
        yield Seed("sqlite", directory)
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    n = next(_numbers)
    seed = Seed("postgresql", directory, server, f"clinic_owner_{n}", f"clinic_app_{n}")
    seed.database = f"tamper_seed_{n}"
    superuser = make_engine(server.url)
    with superuser.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.execute(text(f"CREATE ROLE {seed.owner_role} LOGIN"))
        db.execute(text(f"CREATE ROLE {seed.app_role} LOGIN"))
        db.execute(text(f"CREATE DATABASE {seed.database} OWNER {seed.owner_role}"))
    owner = make_engine(_url(seed, seed.owner_role, seed.database))
    upgrade(owner)
    grant_runtime_role(owner, seed.app_role)
    owner.dispose()
    app = demo_container(_url(seed, seed.app_role, seed.database), directory / "checkpoints")
    seed_demo_clinic(app.uow, app.clock, app.hasher, SYSTEM, app.schedule_seal)
    _fill_every_table(app)
    app.engine.dispose()
    yield seed
    with superuser.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.execute(text(f"DROP DATABASE IF EXISTS {seed.database} WITH (FORCE)"))
    superuser.dispose()


def _fill_every_table(app: Container) -> None:
    """Beyond the demo: the register stocked, a row of the site values' history (ADR 0090) and a
    small study, so the suite has a row of every append-only table to attack."""
    stock_register(app)
    set_site_value(app.uow(), app.clock, SYSTEM, "DEMO", "readings_to_clear", "3", "tamper suite")
    run_a_small_study(app)


def _url(seed: Seed, role: str, database: str) -> str:
    assert seed.server is not None
    return seed.server.url_for(database).replace("//postgres@", f"//{role}@")


@pytest.fixture
def trail(seed: Seed, tmp_path: Path) -> Iterator[Trail]:
    """A fresh copy of the seeded clinic and of its checkpoint log."""
    checkpoints = tmp_path / "checkpoints"
    shutil.copytree(seed.directory / "checkpoints", checkpoints)
    env = {**os.environ, "MDMA_AT_AUDIT_CHECKPOINT_DIR": str(checkpoints)}
    if seed.server is None:
        path = tmp_path / "clinic.db"
        shutil.copy(seed.directory / "clinic.db", path)
        url = f"sqlite:///{path}"
        app, owner = bootstrap(_settings(url, checkpoints)), make_engine(url)
        trail = Trail(app, owner, {**env, "MDMA_AT_DATABASE_URL": url}, path)
    else:
        name = f"tamper_{next(_numbers)}"
        superuser = make_engine(seed.server.url)
        with superuser.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            db.execute(
                text(f"CREATE DATABASE {name} TEMPLATE {seed.database} OWNER {seed.owner_role}")
            )
        app_url = _url(seed, seed.app_role, name)
        app = bootstrap(_settings(app_url, checkpoints))
        owner = make_engine(_url(seed, seed.owner_role, name))
        trail = Trail(app, owner, {**env, "MDMA_AT_DATABASE_URL": app_url}, None)
    try:
        yield trail
    finally:
        trail.app.engine.dispose()
        trail.owner.dispose()
        if seed.server is not None:
            with superuser.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
                db.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            superuser.dispose()


def _first_id(trail: Trail, table: str) -> int:
    with trail.app.engine.connect() as db:
        return int(db.execute(text(f"SELECT min(id) FROM {table}")).scalar_one())


def _last_id(trail: Trail, table: str) -> int:
    with trail.app.engine.connect() as db:
        return int(db.execute(text(f"SELECT max(id) FROM {table}")).scalar_one())


# --- the untouched trail ---------------------------------------------------------------------


def test_the_untouched_demo_clinic_verifies_every_row_and_is_checkpointed(trail: Trail) -> None:
    verdict = trail.verify()
    assert verdict.intact, verdict.problems
    assert verdict.events_checked == len(trail.events())
    with trail.app.engine.connect() as db:
        rows = sum(
            db.execute(select(text("count(*)")).select_from(table)).scalar_one()
            for table in t.SEALED_TABLES
        )
    assert verdict.rows_checked == rows > 0  # every row of the ten sealed tables
    lines = trail.app.checkpoints.read()
    assert lines[-1][1] is not None and lines[-1][1].by == "verify"
    assert lines[-1][1].end == verdict.events_checked


# --- refused by the database -------------------------------------------------------------------


def _not_refused(attempt: Callable[[], object]) -> str | None:
    """None when the database refused the attempt as the threat model says; else what happened."""
    try:
        attempt()
    except (DBAPIError, sqlite3.DatabaseError) as error:
        return None if REFUSED.search(str(error)) else f"refused for another reason: {error}"
    return "not refused"


def test_replacing_a_row_of_any_append_only_table_is_refused(trail: Trail) -> None:
    # Every table on one copy: a refused statement changes nothing, so the tables cannot
    # interfere (one copy and one verification instead of one per table).
    failures = {}
    for table in APPEND_ONLY:
        row_id = _first_id(trail, table)
        if trail.sqlite_path is not None:
            statement = f"REPLACE INTO {table} SELECT * FROM {table} WHERE id = {row_id}"
            # The sqlite3 shell of someone with the file: no recursive_triggers pragma of ours.
            raw = sqlite3.connect(trail.sqlite_path)
            try:
                shell = _not_refused(lambda: raw.execute(statement))  # noqa: B023
            finally:
                raw.close()
            if shell:
                failures[f"{table} (sqlite3 shell)"] = shell
        else:
            statement = (
                f"INSERT INTO {table} SELECT * FROM {table} WHERE id = {row_id} "
                "ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id"
            )
        if problem := _not_refused(lambda: trail.as_app(statement)):  # noqa: B023
            failures[table] = problem
    assert failures == {}
    assert trail.verify().intact


def test_the_application_role_cannot_update_or_delete_any_append_only_row(trail: Trail) -> None:
    failures = {}
    for table in APPEND_ONLY:
        row_id = _first_id(trail, table)
        for verb, statement in (
            ("UPDATE", f"UPDATE {table} SET id = id WHERE id = {row_id}"),
            ("DELETE", f"DELETE FROM {table} WHERE id = {row_id}"),
        ):
            if problem := _not_refused(lambda: trail.as_app(statement)):  # noqa: B023
                failures[f"{verb} {table}"] = problem
    assert failures == {}
    assert trail.verify().intact


def test_deleting_the_audit_head_is_refused(trail: Trail) -> None:
    with pytest.raises(DBAPIError, match=r"append-only|permission denied"):
        trail.as_app("DELETE FROM audit_head")
    assert trail.verify().intact


# PostgreSQL only: SQLite has no roles, whoever can write the file owns it (ADR 0105). Collected
# for PostgreSQL alone rather than skipped on SQLite, so a whole run skips nothing.
@pytest.mark.parametrize(
    "seed", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_the_application_role_cannot_disable_triggers_alter_or_truncate(trail: Trail) -> None:
    assert trail.postgres
    for statement in (
        "ALTER TABLE screenings DISABLE TRIGGER USER",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "DROP TRIGGER audit_events_append_only ON audit_events",
        "ALTER TABLE audit_events ADD COLUMN note text",
        "TRUNCATE dosing_session_events",
        "CREATE TABLE smuggled (id int)",
    ):
        with pytest.raises(DBAPIError, match=r"must be owner|permission denied"):
            trail.as_app(statement)
    assert trail.verify().intact


# --- detected by audit verify ----------------------------------------------------------------


# One table of each kind of record in `make test`; the attack on every other sealed table is the
# same code path (`audit verify` recomputes each row's digest) and runs in `make slow`.
REPRESENTATIVE = {"screenings", "instrument_item_answers", "dosing_session_events",
                  "register_movements", "site_protocol_values", "study_allocations"}  # fmt: skip


@pytest.mark.parametrize(
    "table",
    [
        table if table in REPRESENTATIVE else pytest.param(table, marks=pytest.mark.exhaustive)
        for table in SEALED
    ],
)
def test_a_row_changed_by_an_owner_without_triggers_is_detected(trail: Trail, table: str) -> None:
    row_id = _first_id(trail, table)
    trail.drop_triggers(table)
    trail.as_owner(f"UPDATE {table} SET {CHANGES[table]} WHERE id = {row_id}")
    verdict = trail.verify()
    assert not verdict.intact
    assert verdict.reason is not None
    assert verdict.reason.startswith(f"{table} row {row_id} changed since event ")


@pytest.mark.parametrize("table", LEAVES)
def test_a_row_deleted_by_an_owner_without_triggers_is_detected(trail: Trail, table: str) -> None:
    row_id = _last_id(trail, table)
    trail.drop_triggers(table)
    trail.as_owner(f"DELETE FROM {table} WHERE id = {row_id}")
    verdict = trail.verify()
    assert not verdict.intact
    assert verdict.reason is not None
    assert verdict.reason.startswith(f"{table} row {row_id}, sealed by event ")
    assert verdict.reason.endswith("is missing (deleted)")


def test_a_row_inserted_behind_the_applications_back_is_detected(trail: Trail) -> None:
    row_id = _last_id(trail, "consent_withdrawals")
    columns = ", ".join(c.name for c in t.consent_withdrawals.columns if c.name != "id")
    trail.as_app(
        f"INSERT INTO consent_withdrawals ({columns}) "
        f"SELECT {columns} FROM consent_withdrawals WHERE id = {row_id}"
    )
    verdict = trail.verify()
    assert not verdict.intact
    assert verdict.reason == (
        f"consent_withdrawals row {row_id + 1} is sealed by no audit event "
        "(inserted outside the application)"
    )


def test_a_chain_rewritten_with_recomputed_hashes_and_head_is_detected_by_the_cli(
    trail: Trail,
) -> None:
    events = trail.events()
    start = len(events) // 2
    trail.drop_triggers("audit_events")
    prev = events[start - 2].hash
    with trail.owner.begin() as db:
        for event in events[start - 1 :]:
            content = event.content
            if event.id == start:
                content = AuditContent(**{**_fields(content), "reason": "nothing happened"})
            new_hash = chain_hash(content, prev)
            db.execute(
                t.audit_events.update()
                .where(t.audit_events.c.id == event.id)
                .values(reason=content.reason, prev_hash=prev, hash=new_hash)
            )
            prev = new_hash
        db.execute(t.audit_head.update().values(last_id=events[-1].id, last_hash=prev))
    # The chain in the database is consistent again; only the signed checkpoints know better.
    with trail.app.uow() as uow:
        assert uow.audit.head() == (events[-1].id, prev)
    result = mdma_at_in_process("audit", "verify", env=trail.env)
    assert result.returncode == 1, result.stderr
    assert "audit trail BROKEN at event " in result.stdout
    assert "differs from checkpoint line" in result.stdout
    assert "the chain was rewritten" in result.stdout


def test_forged_appends_with_correct_hashes_are_detected_even_after_later_writes(
    trail: Trail,
) -> None:
    last = trail.events()[-1]
    forged = AuditContent(**{**_fields(last.content), "reason": "a forged event"})
    forged_hash = chain_hash(forged, last.hash)
    # The application's own role may insert events and move the head: no trigger is needed.
    with trail.app.engine.begin() as db:
        db.execute(
            t.audit_events.insert().values(
                id=last.id + 1, prev_hash=last.hash, hash=forged_hash, **_fields(forged)
            )
        )
        db.execute(t.audit_head.update().values(last_id=last.id + 1, last_hash=forged_hash))
    expected = (
        f"events {last.id + 1}..{last.id + 1} are covered by no signed checkpoint: appended "
        "outside the application (or it stopped between committing and signing)"
    )
    assert trail.verify().reason == expected
    # A legitimate write chains onto the forgery, and signs only its own events.
    add_site(trail.app.uow(), trail.app.clock, SYSTEM, "LATER-1", "Later Clinic")
    verdict = trail.verify()
    assert verdict.reason == expected and verdict.first_broken_id == last.id + 1


def test_a_truncated_chain_with_its_head_moved_back_is_detected(trail: Trail) -> None:
    events = trail.events()
    keep = len(events) - 3
    trail.drop_triggers("audit_events")
    trail.as_owner(
        f"DELETE FROM audit_events WHERE id > {keep}",
        f"UPDATE audit_head SET last_id = {keep}, last_hash = '{events[keep - 1].hash}'",
    )
    verdict = trail.verify()
    assert not verdict.intact
    assert verdict.reason is not None
    assert verdict.reason.startswith("truncated: checkpoint line ")
    assert verdict.reason.endswith(f"events, the chain has {keep}")


def test_a_head_deleted_by_an_owner_is_detected_and_stops_every_write(trail: Trail) -> None:
    count = len(trail.events())
    trail.drop_triggers("audit_head")
    if not trail.postgres:
        trail.as_owner("DROP TRIGGER IF EXISTS audit_head_no_delete")
    trail.as_owner("DELETE FROM audit_head")
    verdict = trail.verify()
    assert verdict.reason == f"the recorded head is missing (the chain has {count} events)"
    with pytest.raises(IntegrityError, match="head row is missing"):
        add_site(trail.app.uow(), trail.app.clock, SYSTEM, "LATER-1", "Later Clinic")
    assert len(trail.events()) == count


def test_a_head_moved_without_removing_events_is_detected(trail: Trail) -> None:
    events = trail.events()
    trail.as_app(
        f"UPDATE audit_head SET last_id = {events[-2].id}, last_hash = '{events[-2].hash}'"
    )
    verdict = trail.verify()
    assert verdict.reason == (
        f"the recorded head (event {events[-2].id}) is not the chain's last event "
        f"({events[-1].id}): the head was moved or events were removed"
    )


def test_a_forged_checkpoint_line_is_detected(trail: Trail) -> None:
    log = trail.app.checkpoints.path
    lines = log.read_text().splitlines()
    log.write_text("\n".join([*lines, lines[-1].replace('"by":"write"', '"by":"verify"')]) + "\n")
    verdict = trail.verify()
    assert verdict.reason == (
        f"checkpoint line {len(lines) + 1} has a bad signature (forged or corrupted)"
    )


def _fields(content: AuditContent) -> dict[str, object]:
    return {name: getattr(content, name) for name in AuditContent.__dataclass_fields__}


# --- a crash between a commit and its checkpoint -----------------------------------------------


def test_events_left_unsigned_by_a_crash_are_named_and_accepted_only_with_a_reason(
    trail: Trail,
) -> None:
    count = len(trail.events())
    # A unit of work without the checkpoint log: the write commits, its checkpoint never comes.
    add_site(SqlUnitOfWork(trail.app.engine), trail.app.clock, SYSTEM, "LATER-1", "Later Clinic")
    verdict = trail.verify()
    assert verdict.problems == (
        f"events {count + 1}..{count + 1} are covered by no signed checkpoint: appended outside "
        "the application (or it stopped between committing and signing)",
    )
    no_reason = mdma_at_in_process("audit", "accept-unsigned", "--reason", " ", env=trail.env)
    assert no_reason.returncode == 2
    assert no_reason.stderr.startswith("error: reason: say how the unsigned events were checked")
    # through the real entry point: the command family's subprocess test (ADR 0066)
    accepted = mdma_at(
        "audit", "accept-unsigned", "--reason", "matches the server log of 10:02", env=trail.env
    )
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip() == (
        f"accepted unsigned events {count + 1}..{count + 1}; the whole chain is signed again"
    )
    assert trail.verify().intact
    last = trail.events()[-1].content
    assert (last.action, last.reason) == (
        "unsigned_events_accepted",
        "matches the server log of 10:02",
    )
    assert last.after == f'{{"ranges":[[{count + 1},{count + 1}]]}}'


def test_acceptance_is_refused_when_the_trail_has_more_than_unsigned_events(
    trail: Trail,
) -> None:
    row_id = _first_id(trail, "screenings")
    trail.drop_triggers("screenings")
    trail.as_owner(f"UPDATE screenings SET {CHANGES['screenings']} WHERE id = {row_id}")
    before = len(trail.events())
    refused = mdma_at_in_process(
        "audit", "accept-unsigned", "--reason", "looks fine", env=trail.env
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith(
        "error: conflict: only unsigned events can be accepted, and the trail has more: "
        f"screenings row {row_id} changed since event "
    )
    assert len(trail.events()) == before  # nothing stored
