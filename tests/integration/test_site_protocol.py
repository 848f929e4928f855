"""A site's own values for the protocol's site defaults (issue 12, item 4; ADR 0090), through the
real services on SQLite and PostgreSQL: set and reset are audited rows of an append-only
history, refusals store nothing, and the rules of a session read the values its site had when it
started."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from integration.test_session_recording import _iso, _record
from mdma_at.bootstrap import Container
from mdma_at.domain.dosing.records import DosingSession, EntryKind
from mdma_at.domain.errors import InvalidInput, PermissionDenied
from mdma_at.domain.vitals.readings import Parameter
from mdma_at.domain.vocabulary import AlertLevel
from mdma_at.services.access.site_protocol import (
    reset_site_value,
    set_site_value,
    show_site_protocol,
)
from mdma_at.services.audit import verify_audit_chain
from mdma_at.services.patients import schedule
from mdma_at.services.protocol_settings import effective_protocol
from mdma_at.services.sessions.recording import load_session, start_session
from mdma_at.services.sessions.view import console_view
from support.clinic import OPERATOR, Clinic, register
from support.db import row_counts

HR_CAUTION = "thresholds.caution.heart_rate"
# 110/min: inside the protocol's heart-rate caution limit (> 120/min, DESIGN.md §4), outside a
# site's 100/min (the low end of the allowed range: tachycardia is above 100/min).
READING = {"systolic": 124, "diastolic": 78, "heart_rate": 110, "temperature_c": 36.8}


def _session(ctx: Container, clinic: Clinic, study_id: str) -> DosingSession:
    patient = register(ctx, clinic, study_id)  # vitals and alerts need no consent or screening
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", date(2026, 6, 1)
    )
    es1 = next(v for v in visits if v.code == "es1")
    return start_session(
        ctx.uow(),
        ctx.clock,
        clinic.therapist_a,
        es1.id,
        started_at=_iso(ctx.clock.now()),
        childbearing_potential=False,
    )


def _audit(ctx: Container, action: str) -> list[tuple[str | None, str | None, str | None]]:
    with ctx.uow() as uow:
        return [
            (e.content.before, e.content.after, e.content.reason)
            for e in uow.audit.events()
            if e.content.action == action
        ]


def test_a_site_value_applies_to_sessions_started_after_it_and_is_audited(
    ctx: Container, clinic: Clinic
) -> None:
    before = _session(ctx, clinic, "HC-0001")
    ctx.clock.advance(minutes=1)  # type: ignore[attr-defined]
    set_site_value(ctx.uow(), ctx.clock, clinic.admin, "SITE-A", HR_CAUTION, "100", "young cohort")
    ctx.clock.advance(minutes=1)  # type: ignore[attr-defined]
    after = _session(ctx, clinic, "HC-0002")
    ctx.clock.advance(minutes=1)  # type: ignore[attr-defined]
    for session in (before, after):
        _record(ctx, clinic.therapist_a, session, EntryKind.VITALS, ctx.clock.now(), **READING)

    old = console_view(
        load_session(ctx.uow(), ctx.clock, clinic.therapist_a, before.id), ctx.clock.now()
    )
    new = console_view(
        load_session(ctx.uow(), ctx.clock, clinic.therapist_a, after.id), ctx.clock.now()
    )
    assert old.active_alerts == ()  # started before the change: the protocol's 120/min
    assert [(a.parameter, a.level) for a in new.active_alerts] == [
        (Parameter.HEART_RATE, AlertLevel.CAUTION)
    ]
    assert "heart rate > 120/min" in old.limits[0][1]
    assert "heart rate > 100/min" in new.limits[0][1]

    with ctx.uow() as uow:  # the other site runs the protocol's value
        other = effective_protocol(uow, clinic.site_b.id, "mapp_v1")
    assert other.dosing.thresholds.caution[Parameter.HEART_RATE].limit == 120
    [(was, now, why)] = _audit(ctx, "site_protocol_value_set")
    assert '"value":120' in (was or "") and '"value":100' in (now or "") and why == "young cohort"
    assert verify_audit_chain(ctx.uow()).intact  # the new row is sealed into the chain


def test_a_reset_is_a_row_and_the_protocols_value_applies_again(
    ctx: Container, clinic: Clinic
) -> None:
    set_site_value(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", HR_CAUTION, "110", "trial")
    ctx.clock.advance(minutes=1)  # type: ignore[attr-defined]
    reset_site_value(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", HR_CAUTION, "trial over")
    shown = show_site_protocol(ctx.uow(), ctx.clock, OPERATOR, "SITE-A")
    row = next(r for r in shown.rows if r.setting.key == HR_CAUTION)
    # DESIGN.md §4: the protocol's heart-rate caution limit is 120/min.
    assert (row.default, row.site_value, row.in_force) == (120, None, 120)
    assert [(c.key, c.value, c.reason) for c in shown.history] == [
        (HR_CAUTION, None, "trial over"),
        (HR_CAUTION, 110, "trial"),
    ]
    [(was, now, why)] = _audit(ctx, "site_protocol_value_reset")
    assert '"site_value":110' in (was or "") and '"site_value":null' in (now or "")
    assert why == "trial over"


@pytest.mark.parametrize(
    ("key", "value", "reason", "field", "message"),
    [
        (HR_CAUTION, "99", "x", HR_CAUTION, "outside the allowed range 100–120"),
        (HR_CAUTION, "lots", "x", HR_CAUTION, "is not a number"),
        (HR_CAUTION, "nan", "x", HR_CAUTION, "is not a finite number"),
        (HR_CAUTION, "110", "  ", "reason", "is required"),
        ("thresholds.caution.systolic", "150", "x", "key", "not a value mapp_v1 lets a site set"),
        # 120/min critical is not above the protocol's 120/min caution limit (DESIGN.md §4)
        ("thresholds.critical.heart_rate", "120", "x", "thresholds.critical.heart_rate", "above"),
    ],
)
def test_a_refused_value_names_the_field_and_stores_nothing(
    ctx: Container, clinic: Clinic, key: str, value: str, reason: str, field: str, message: str
) -> None:
    counts = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput, match=message) as refused:
        set_site_value(ctx.uow(), ctx.clock, clinic.admin, "SITE-A", key, value, reason)
    assert refused.value.field == field
    assert row_counts(ctx.settings.database_url) == counts


def test_a_reset_that_would_contradict_another_site_value_is_refused(
    ctx: Container, clinic: Clinic
) -> None:
    set_site_value(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", HR_CAUTION, "100", "x")
    set_site_value(
        ctx.uow(), ctx.clock, OPERATOR, "SITE-A", "thresholds.critical.heart_rate", "120", "x"
    )
    counts = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput, match=r"contradicts thresholds\.critical\.heart_rate"):
        reset_site_value(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", HR_CAUTION, "back")
    assert row_counts(ctx.settings.database_url) == counts


def test_only_an_admin_of_the_site_sets_a_value_and_a_denial_is_audited(
    ctx: Container, clinic: Clinic
) -> None:
    counts = row_counts(ctx.settings.database_url, ignore=("audit_events",))
    with pytest.raises(PermissionDenied):
        set_site_value(ctx.uow(), ctx.clock, clinic.physician_a, "SITE-A", HR_CAUTION, "110", "x")
    assert row_counts(ctx.settings.database_url, ignore=("audit_events",)) == counts
    with ctx.uow() as uow:
        assert [e.content.action for e in uow.audit.events()][-1] == "access_denied"


def test_the_history_is_append_only_in_the_database(ctx: Container, clinic: Clinic) -> None:
    set_site_value(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", HR_CAUTION, "110", "x")
    engine = create_engine(ctx.settings.database_url)
    try:
        for statement in (
            "UPDATE site_protocol_values SET value = 100",
            "DELETE FROM site_protocol_values",
        ):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as db:
                db.execute(text(statement))
    finally:
        engine.dispose()


def test_the_schedule_and_clearing_follow_the_site(ctx: Container, clinic: Clinic) -> None:
    set_site_value(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", "schedule.routine", "20", "x")
    set_site_value(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", "readings_to_clear", "3", "x")
    ctx.clock.advance(minutes=1)  # type: ignore[attr-defined]
    session = _session(ctx, clinic, "HC-0003")
    _record(ctx, clinic.therapist_a, session, EntryKind.VITALS, ctx.clock.now(), **READING)
    file = load_session(ctx.uow(), ctx.clock, clinic.therapist_a, session.id)
    due = file.folded.state.next_vitals
    assert due is not None and due.due - due.after == timedelta(minutes=20)
    assert file.rules.readings_to_clear.value == 3
