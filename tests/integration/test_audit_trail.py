"""The audit trail: every write appends a chained event; the database refuses rewrites."""

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mdma_at.adapters.db.migrate import upgrade
from mdma_at.bootstrap import Container, bootstrap
from mdma_at.config import Settings
from mdma_at.domain.errors import Conflict
from mdma_at.services.audit import sign_first_checkpoint, verify_audit_chain
from support.clinic import Clinic, register


def events(ctx: Container) -> list:  # type: ignore[type-arg]
    with ctx.uow() as uow:
        return list(uow.audit.events())


def test_a_write_appends_who_role_site_when_what_and_after(ctx: Container, clinic: Clinic) -> None:
    patient = register(ctx, clinic)
    last = events(ctx)[-1].content
    assert (last.actor, last.role, last.site_id) == ("c.a", "coordinator", clinic.site_a.id)
    assert (last.action, last.entity_type, last.entity_id) == (
        "patient_registered",
        "patient",
        str(patient.id),
    )
    assert last.occurred_at == "2026-11-22T09:00:00.000000Z"
    assert '"study_id":"HC-0001"' in (last.after or "")


def test_a_refused_write_leaves_no_event_and_no_row(ctx: Container, clinic: Clinic) -> None:
    register(ctx, clinic)
    before = len(events(ctx))
    with pytest.raises(Conflict, match="already registered"):
        register(ctx, clinic)
    assert len(events(ctx)) == before
    with ctx.uow() as uow:
        assert len(uow.patients.search(frozenset({clinic.site_a.id}))) == 1


def test_the_chain_of_a_working_clinic_verifies(ctx: Container, clinic: Clinic) -> None:
    register(ctx, clinic)
    verdict = verify_audit_chain(ctx.uow())
    assert verdict.intact
    assert verdict.events_checked == len(events(ctx)) > 5


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'mallory' WHERE id = 1",
        "DELETE FROM audit_events WHERE id = 1",
    ],
)
def test_the_database_itself_refuses_to_rewrite_the_audit_table(
    ctx: Container, clinic: Clinic, statement: str
) -> None:
    with pytest.raises(DBAPIError, match="append-only"), ctx.engine.begin() as db:
        db.execute(text(statement))
    assert verify_audit_chain(ctx.uow()).intact


def test_an_event_altered_behind_the_applications_back_is_named(
    ctx: Container, clinic: Clinic
) -> None:
    register(ctx, clinic)
    _drop_append_only_triggers(ctx)
    with ctx.engine.begin() as db:
        db.execute(text("UPDATE audit_events SET reason = 'nothing to see' WHERE id = 4"))
    verdict = verify_audit_chain(ctx.uow())
    assert (verdict.intact, verdict.first_broken_id, verdict.events_checked) == (False, 4, 3)


def _drop_append_only_triggers(ctx: Container) -> None:
    with ctx.engine.begin() as db:
        if ctx.engine.dialect.name == "postgresql":
            db.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            db.execute(text("DROP TRIGGER audit_events_no_update"))


def test_the_chain_verifies_against_the_checkpoints_each_write_signed(
    ctx: Container, clinic: Clinic
) -> None:
    register(ctx, clinic)
    count = len(events(ctx))
    signed = ctx.checkpoints.read()
    # one signed checkpoint per committed write, contiguous from the genesis to the head
    assert [c.start for _, c in signed if c] == [0, *[c.end for _, c in signed if c][:-1]]
    assert signed[-1][1] is not None and signed[-1][1].end == count
    verdict = verify_audit_chain(ctx.uow(), ctx.checkpoints, ctx.clock)
    assert (verdict.intact, verdict.events_checked) == (True, count)
    assert verdict.checkpoints_checked == len(signed)
    last = ctx.checkpoints.read()[-1][1]
    assert last is not None and (last.start, last.end, last.by) == (0, count, "verify")


def test_a_refused_write_signs_no_checkpoint(ctx: Container, clinic: Clinic) -> None:
    register(ctx, clinic)
    before = len(ctx.checkpoints.read())
    with pytest.raises(Conflict):
        register(ctx, clinic)
    assert len(ctx.checkpoints.read()) == before


def test_a_checkpoint_that_cannot_be_written_loses_no_write_and_leaves_it_unsigned(
    ctx: Container, clinic: Clinic, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the checkpoint directory should be")
    settings = Settings(database_url=ctx.settings.database_url, audit_checkpoint_dir=blocked)
    broken = bootstrap(settings, clock=ctx.clock)
    try:
        patient = register(broken, clinic)
    finally:
        broken.engine.dispose()
    with ctx.uow() as uow:
        assert uow.patients.get(patient.id) is not None  # the write is committed
    count = len(events(ctx))
    verdict = verify_audit_chain(ctx.uow(), ctx.checkpoints, ctx.clock)
    assert verdict.problems == (
        f"events {count}..{count} are covered by no signed checkpoint: appended outside the "
        "application (or it stopped between committing and signing)",
    )


def test_upgrading_to_0005_seals_the_rows_already_stored(database_url: str, tmp_path: Path) -> None:
    container = bootstrap(
        Settings(database_url=database_url, audit_checkpoint_dir=tmp_path / "checkpoints")
    )
    try:
        upgrade(container.engine, "0002")  # an installation from before revision 0005
        upgrade(container.engine, "0003")
        upgrade(container.engine, "0004")
        with container.engine.begin() as db:
            db.execute(text("INSERT INTO sites (id, code, name) VALUES (1, 'SITE-A', 'A')"))
            db.execute(
                text(
                    "INSERT INTO consent_documents (id, site_id, title, version, effective_on, "
                    "text, reference, published_at) VALUES (1, 1, 'Consent', 1, '2026-01-05', "
                    "'I agree', 'IRB-1', '2026-01-05 09:00:00')"
                )
            )
        upgrade(container.engine)
        sealed = verify_audit_chain(container.uow())
        assert (sealed.intact, sealed.events_checked, sealed.rows_checked) == (True, 1, 1)
        with container.uow() as uow:
            event = next(iter(uow.audit.events())).content
        assert (event.actor, event.action) == ("migration", "rows_sealed")
        assert event.sealed_rows is not None and '"consent_documents":{"1":' in event.sealed_rows
        # trust on first use: the first checkpoint signs the chain as found
        assert sign_first_checkpoint(container.uow(), container.checkpoints, container.clock)
        assert not sign_first_checkpoint(container.uow(), container.checkpoints, container.clock)
        verdict = verify_audit_chain(container.uow(), container.checkpoints, container.clock)
        assert verdict.intact and verdict.checkpoints_checked == 1
    finally:
        container.engine.dispose()
