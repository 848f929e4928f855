"""The work-up through the real services, on SQLite and PostgreSQL (issue 14, items 3 and 6):
the medication list and allergies, their refusals storing nothing, and the list feeding the
dosing session's medication check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mdma_at.bootstrap import Container
from mdma_at.domain.dosing.records import EntryKind
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.services.measurement import measures
from mdma_at.services.patients import consent, schedule
from mdma_at.services.screening import allergies, concomitant
from mdma_at.services.screening import workup as screening
from mdma_at.services.sessions.recording import record_entry, start_session
from support.clinic import Clinic, register
from support.db import row_counts

# The test clock's day is 2026-11-22 (support.fixtures).
INTAKE = {
    "screening_date": "2026-05-25", "age": 42, "sex": "female", "childbearing_potential": True,
    "pregnant": False, "breastfeeding": False, "pregnancy_test": "negative",
    "vitals": {"systolic": 124, "diastolic": 78, "heart_rate": 72, "temperature_c": 36.7},
    "ecg": {"qtc_ms": 415},
    "ptsd": {"caps5_total": 41, "meets_dsm5": True, "duration_months": 60},
    "conditions": [], "substance_use": [], "suicide_risk": "low", "medications": [],
}  # fmt: skip
CHECKLIST = {
    "fasting_hours": 11,
    "providers_present": 2,
    "pregnancy_test": "negative",
    "pregnancy_test_date": "2026-11-22",
}
NORMAL = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "temperature_c": 36.8}


def test_a_course_is_added_stopped_and_restarted_with_a_warning(
    ctx: Container, clinic: Clinic
) -> None:
    patient = register(ctx, clinic)
    first = concomitant.add_medication(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "sertraline", "50 mg",
        date(2026, 1, 5),
    )  # fmt: skip
    concomitant.stop_medication(
        ctx.uow(), ctx.clock, clinic.physician_a, patient.id, first.id, date(2026, 9, 1)
    )
    with pytest.raises(Conflict):
        concomitant.stop_medication(
            ctx.uow(), ctx.clock, clinic.physician_a, patient.id, first.id, date(2026, 9, 2)
        )
    concomitant.add_medication(
        ctx.uow(), ctx.clock, clinic.therapist_a, patient.id, "Zoloft", "", date(2026, 9, 20)
    )
    listed = concomitant.medication_list(ctx.uow(), ctx.clock, clinic.therapist_a, patient.id)
    assert [c.name for c in listed.current] == ["Zoloft"]
    # sertraline washout 29 days (5 × 104 h + 7 days, rounded up): 2026-09-01 + 29 = 2026-09-30
    assert [w.clear_on for w in listed.washouts] == [date(2026, 9, 30)]
    assert [(w.stopped_on, w.restarted_on) for w in listed.restarts] == [
        (date(2026, 9, 1), date(2026, 9, 20))
    ]


@pytest.mark.parametrize(
    ("name", "started", "stopped", "field"),
    [
        ("", date(2026, 1, 1), None, "name"),
        ("sertraline", date(2026, 12, 1), None, "started_on"),
        ("sertraline", date(2026, 3, 1), date(2026, 2, 1), "stopped_on"),
    ],
)
def test_a_refused_course_stores_nothing(
    ctx: Container, clinic: Clinic, migrated_database_url: str, name: str, started: date,
    stopped: date | None, field: str,
) -> None:  # fmt: skip
    patient = register(ctx, clinic)
    before = row_counts(migrated_database_url)
    with pytest.raises(InvalidInput) as refused:
        concomitant.add_medication(
            ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, name, "", started, stopped
        )
    assert refused.value.field == field
    assert row_counts(migrated_database_url) == before


def test_allergies_none_known_then_an_allergy(
    ctx: Container, clinic: Clinic, migrated_database_url: str
) -> None:
    patient = register(ctx, clinic)
    allergies.add_allergy(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, none_known=True)
    allergies.add_allergy(
        ctx.uow(), ctx.clock, clinic.physician_a, patient.id, "penicillin", "urticaria"
    )
    before = row_counts(migrated_database_url)
    with pytest.raises(InvalidInput) as refused:
        allergies.add_allergy(ctx.uow(), ctx.clock, clinic.physician_a, patient.id, none_known=True)
    assert refused.value.field == "none_known"
    assert row_counts(migrated_database_url) == before
    shown = allergies.allergy_list(ctx.uow(), ctx.clock, clinic.therapist_a, patient.id)
    assert [a.substance for a in shown.allergies] == ["penicillin"]
    assert shown.none_known is None


def test_a_therapist_at_another_site_may_not_record(ctx: Container, clinic: Clinic) -> None:
    patient = register(ctx, clinic)
    with pytest.raises(NotFound):  # a patient at a site where one holds no role is no patient
        allergies.add_allergy(ctx.uow(), ctx.clock, clinic.therapist_b, patient.id, "latex")
    with ctx.uow() as uow:
        assert uow.allergies.for_patient(patient.id) == []


def test_the_medication_list_feeds_the_session_medication_check(
    ctx: Container, clinic: Clinic
) -> None:
    patient = register(ctx, clinic)
    document = consent.publish_consent_document(
        ctx.uow(), ctx.clock, clinic.admin, clinic.site_a.id,
        title="Consent", version=1, effective_on=date(2026, 1, 1), reference="ICF v1",
    )  # fmt: skip
    consent.sign_consent(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, document_id=document.id,
        signed_name="Jordan Reyes", witness_id=clinic.therapist_a.user_id,
        signed_at=datetime(2026, 5, 25, 10, 0, tzinfo=UTC),
    )  # fmt: skip
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, INTAKE
    )
    screening.sign_screening(ctx.uow(), ctx.clock, clinic.physician_a, stored.id)
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", date(2026, 6, 1)
    )
    # Restarted after screening and still taken on the session day: the dose must be refused.
    concomitant.add_medication(
        ctx.uow(), ctx.clock, clinic.physician_a, patient.id, "Zoloft", "50 mg", date(2026, 11, 1)
    )
    concomitant.add_medication(
        ctx.uow(), ctx.clock, clinic.physician_a, patient.id, "amlodipine", "5 mg",
        date(2025, 1, 1),
    )  # fmt: skip
    es1 = next(v for v in visits if v.code == "es1")
    now = ctx.clock.now()
    session = start_session(
        ctx.uow(), ctx.clock, clinic.therapist_a, es1.id,
        started_at=(now - timedelta(hours=1)).isoformat(), childbearing_potential=True,
        weight_kg="61", present=[("T.A", "therapist"), ("DR.A", "physician")],
    )  # fmt: skip
    measures.record_clinician_instrument(
        ctx.uow(), ctx.clock, clinic.therapist_a, patient.id, "cssrs-screen", ["no"] * 7,
        completed_on=now.date(),
    )  # fmt: skip

    def entry(who, kind, t, **raw):  # type: ignore[no-untyped-def]
        return record_entry(ctx.uow(), ctx.clock, who, session.id, kind, raw, t.isoformat())

    checklist = entry(clinic.physician_a, EntryKind.CHECKLIST, now - timedelta(minutes=20),
                      **CHECKLIST)  # fmt: skip
    assert {m["name"] for m in checklist.entry.payload["medications_changed"]} == {
        "Zoloft",
        "amlodipine",
    }
    entry(clinic.therapist_a, EntryKind.VITALS, now - timedelta(minutes=15), **NORMAL)
    out = entry(clinic.therapist_a, EntryKind.REQUEST_INITIAL, now, mg=80)
    assert out.entry.allowed is False
    reasons = [r for r in out.entry.reasons if r.startswith("medication_washout")]
    # Zoloft (sertraline) taken on 2026-11-22: 29-day washout, no dose before 2026-12-21
    assert reasons and "2026-12-21" in reasons[0]
