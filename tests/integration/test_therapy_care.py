"""Therapy notes and check-ins after dosing through the real services, on SQLite and PostgreSQL
(issue 14, items 4-5). Refusals prove both halves: the reason, and nothing stored."""

from datetime import date, timedelta

import pytest

from integration.test_session_recording import MODERATE_RISK, session
from mdma_at.bootstrap import Container
from mdma_at.domain.adverse_events import AeSeverity
from mdma_at.domain.check_ins import CheckInDraft, ContactMode
from mdma_at.domain.dosing.records import DosingSession
from mdma_at.domain.errors import Conflict, InvalidInput, PermissionDenied
from mdma_at.domain.therapy_notes import AddendumDraft, NoteDraft
from mdma_at.services.audit import verify_audit_chain
from mdma_at.services.measurement import safety_alerts
from mdma_at.services.patients import registry
from mdma_at.services.therapy import check_ins, notes
from support.clinic import Clinic
from support.db import last_audit_action, row_counts

__all__ = ["session"]  # the fixture, imported for its name

SESSION_DAY = date(2026, 11, 22)  # the session fixture starts at 00:00 UTC on the clock's day


def _visit(ctx: Container, clinic: Clinic, patient_id: int, code: str) -> int:
    chart = registry.chart(ctx.uow(), ctx.clock, clinic.coordinator_a, patient_id)
    assert chart.current is not None
    return next(v.id for v in chart.visits[chart.current.id] if v.code == code)


def _note(visit_id: int, dyad: tuple[int, ...], **changes: object) -> NoteDraft:
    values: dict[str, object] = {
        "visit_id": visit_id,
        "session_on": SESSION_DAY - timedelta(days=1),
        "themes": "Relief; grief for the brother",
        "risks": "none noticed",
        "plan": "Continue the body-awareness practice",
        "present": dyad,
        "duration_minutes": 90,
    }
    values.update(changes)
    return NoteDraft(**values)  # type: ignore[arg-type]


def _check_in(on: date, **changes: object) -> CheckInDraft:
    values: dict[str, object] = {
        "on": on,
        "mode": ContactMode.PHONE,
        "suds": 20,
        "sleep_hours": 7.5,
        "suicidal_thoughts": False,
    }
    values.update(changes)
    return CheckInDraft(**values)  # type: ignore[arg-type]


def test_a_therapist_signs_an_integration_note_which_locks_and_takes_addenda(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    visit_id = _visit(ctx, clinic, session.patient_id, "es1_int1")
    ta = clinic.therapist_a
    note = notes.write_note(
        ctx.uow(), ctx.clock, ta, session.patient_id, _note(visit_id, (ta.user_id,))
    )
    assert (note.signed_by, note.duration_minutes, note.present) == (ta.user_id, 90, (ta.user_id,))
    with pytest.raises(Conflict, match="addendum"):
        notes.write_note(
            ctx.uow(), ctx.clock, ta, session.patient_id, _note(visit_id, (ta.user_id,))
        )
    notes.add_addendum(
        ctx.uow(),
        ctx.clock,
        ta,
        note.id,
        AddendumDraft(note.id, "wrong duration", "It was 100 min"),
    )
    shown = notes.patient_notes(ctx.uow(), ctx.clock, clinic.coordinator_a, session.patient_id)
    slot = shown.slot(visit_id)
    assert slot is not None and slot.note == note
    assert [a.reason for a in slot.addenda] == ["wrong duration"]
    assert not shown.may_sign  # a coordinator reads, a therapist signs
    assert verify_audit_chain(ctx.uow()).intact


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": -5}, "duration_minutes"),
        ({"themes": "  "}, "themes"),
        ({"present": ()}, "present"),
    ],
)
def test_a_bad_note_is_refused_naming_the_field_and_stores_nothing(
    ctx: Container, clinic: Clinic, session: DosingSession, changes: dict[str, object], field: str
) -> None:
    visit_id = _visit(ctx, clinic, session.patient_id, "es1_int1")
    ta = clinic.therapist_a
    before = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput) as refused:
        notes.write_note(
            ctx.uow(), ctx.clock, ta, session.patient_id, _note(visit_id, (ta.user_id,), **changes)
        )
    assert refused.value.field == field
    assert row_counts(ctx.settings.database_url) == before


def test_a_note_naming_a_physician_in_the_dyad_or_for_a_dosing_visit_is_refused(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    ta, dr = clinic.therapist_a, clinic.physician_a
    before = row_counts(ctx.settings.database_url)
    int1 = _visit(ctx, clinic, session.patient_id, "es1_int1")
    with pytest.raises(InvalidInput, match="not a therapist") as refused:
        notes.write_note(
            ctx.uow(), ctx.clock, ta, session.patient_id, _note(int1, (ta.user_id, dr.user_id))
        )
    assert refused.value.field == "present"
    es1 = _visit(ctx, clinic, session.patient_id, "es1")
    with pytest.raises(InvalidInput) as dosing:
        notes.write_note(ctx.uow(), ctx.clock, ta, session.patient_id, _note(es1, (ta.user_id,)))
    assert dosing.value.field == "visit_id"
    assert row_counts(ctx.settings.database_url) == before


def test_a_note_signed_by_a_physician_is_refused_and_only_the_denial_is_audited(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    dr = clinic.physician_a
    visit_id = _visit(ctx, clinic, session.patient_id, "prep1")
    before = row_counts(ctx.settings.database_url, ignore=("audit_events",))
    with pytest.raises(PermissionDenied):
        notes.write_note(
            ctx.uow(), ctx.clock, dr, session.patient_id, _note(visit_id, (dr.user_id,))
        )
    assert row_counts(ctx.settings.database_url, ignore=("audit_events",)) == before
    assert last_audit_action(ctx.settings.database_url) == "access_denied"


def test_a_day_two_check_in_is_due_then_recorded_and_leaves_the_due_list(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    ctx.clock.advance(days=2)  # type: ignore[attr-defined]
    day2 = SESSION_DAY + timedelta(days=2)
    due = check_ins.clinic_check_ins(ctx.uow(), ctx.clock, clinic.coordinator_a)
    # day 1 (missed, overdue) and day 2 (today): the session was on the 22nd
    assert [(d.contact.day, d.overdue(day2)) for d in due] == [(1, True), (2, False)]
    recorded = check_ins.record_check_in(
        ctx.uow(),
        ctx.clock,
        clinic.therapist_a,
        session.patient_id,
        _check_in(day2, ae_term="Headache", ae_severity=AeSeverity.MILD),
    )
    assert (recorded.check_in.day, recorded.check_in.screener_indicated) == (2, False)
    due = check_ins.clinic_check_ins(ctx.uow(), ctx.clock, clinic.coordinator_a)
    assert [d.contact.day for d in due] == [1]
    with pytest.raises(Conflict):
        check_ins.record_check_in(
            ctx.uow(), ctx.clock, clinic.therapist_a, session.patient_id, _check_in(day2)
        )


def test_suicidal_thoughts_need_a_screener_and_a_positive_one_opens_a_safety_alert(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    ctx.clock.advance(days=1)  # type: ignore[attr-defined]
    day1 = SESSION_DAY + timedelta(days=1)
    before = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput, match="suicidal thoughts") as missing:
        check_ins.record_check_in(
            ctx.uow(),
            ctx.clock,
            clinic.therapist_a,
            session.patient_id,
            _check_in(day1, suicidal_thoughts=True),
        )
    assert missing.value.field == "cssrs"
    assert row_counts(ctx.settings.database_url) == before
    recorded = check_ins.record_check_in(
        ctx.uow(),
        ctx.clock,
        clinic.therapist_a,
        session.patient_id,
        _check_in(day1, suicidal_thoughts=True),
        MODERATE_RISK,
    )
    assert recorded.check_in.administration_id is not None
    (alert,) = recorded.alerts  # yes to items 1-3: moderate risk (issue 4 triage)
    queue = safety_alerts.open_safety_alerts(ctx.uow(), clinic.physician_a)
    assert [a.id for _, a in queue] == [alert.id]


@pytest.mark.parametrize(
    ("on", "changes", "field"),
    [
        (SESSION_DAY, {}, "on"),  # the session's own day: no dosing session before it
        (SESSION_DAY - timedelta(days=3), {}, "on"),
        (SESSION_DAY + timedelta(days=8), {}, "on"),  # past day 7
        (SESSION_DAY + timedelta(days=1), {"suds": 101}, "suds"),
        (SESSION_DAY + timedelta(days=1), {"suds": -1}, "suds"),
        (SESSION_DAY + timedelta(days=1), {"sleep_hours": 25.0}, "sleep_hours"),
        (SESSION_DAY + timedelta(days=1), {"ae_term": "Nausea"}, "ae_severity"),
    ],
)
def test_a_bad_check_in_is_refused_naming_the_field_and_stores_nothing(
    ctx: Container,
    clinic: Clinic,
    session: DosingSession,
    on: date,
    changes: dict[str, object],
    field: str,
) -> None:
    ctx.clock.advance(days=9)  # type: ignore[attr-defined]
    before = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput) as refused:
        check_ins.record_check_in(
            ctx.uow(), ctx.clock, clinic.therapist_a, session.patient_id, _check_in(on, **changes)
        )
    assert refused.value.field == field
    assert row_counts(ctx.settings.database_url) == before
