"""A dosing session ready for its initial dose, through the real services: current consent, a
physician-signed eligible screening, the day's C-SSRS screener with no risk, the pre-dose
checklist and a first set of vital signs (the gate of issues 3 and 9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from mdma_at.bootstrap import Container
from mdma_at.domain.dosing.records import DosingSession, EntryKind
from mdma_at.services.measurement import measures
from mdma_at.services.patients import consent, schedule
from mdma_at.services.screening import workup as screening
from mdma_at.services.sessions.recording import record_entry, start_session
from support.clinic import Clinic, register

# The facts of the day (the fixed clock's day is 2026-11-22, support/clock.py).
CHECKLIST = {
    "fasting_hours": 11,
    "providers_present": 2,
    "pregnancy_test": "negative",
    "pregnancy_test_date": "2026-11-22",
}
NORMAL = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "temperature_c": 36.8}
INTAKE = {
    "screening_date": "2026-05-25",
    "age": 42,
    "sex": "female",
    "childbearing_potential": True,
    "pregnant": False,
    "breastfeeding": False,
    "pregnancy_test": "negative",
    "vitals": {"systolic": 124, "diastolic": 78, "heart_rate": 72, "temperature_c": 36.7},
    "ecg": {"qtc_ms": 415},
    "ptsd": {"caps5_total": 41, "meets_dsm5": True, "duration_months": 60},
    "conditions": [],
    "substance_use": [],
    "suicide_risk": "low",
    "medications": [],
}


def session_ready_to_dose(
    ctx: Container, clinic: Clinic, study_id: str, consent_version: int = 1
) -> DosingSession:
    """Site A's session 1 of a new patient, started 15 min ago, checklist and vitals recorded
    (a second patient at the site needs the next `consent_version`: one document per version)."""
    patient = register(ctx, clinic, study_id=study_id)
    document = consent.publish_consent_document(
        ctx.uow(), ctx.clock, clinic.admin, clinic.site_a.id,
        title=f"Consent {study_id}", version=consent_version, effective_on=date(2026, 1, 1),
        reference="ICF v1",
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
    measures.record_clinician_instrument(
        ctx.uow(), ctx.clock, clinic.therapist_a, patient.id, "cssrs-screen", ["no"] * 7,
        completed_on=ctx.clock.now().date(),
    )  # fmt: skip
    es1 = next(v for v in visits if v.code == "es1")
    t0 = ctx.clock.now() - timedelta(minutes=15)
    session = start_session(
        ctx.uow(), ctx.clock, clinic.therapist_a, es1.id, started_at=t0.isoformat(),
        childbearing_potential=True, weight_kg="61",
    )  # fmt: skip
    for minutes, who, kind, raw in (
        (5, clinic.physician_a, EntryKind.CHECKLIST, CHECKLIST),
        (10, clinic.therapist_a, EntryKind.VITALS, NORMAL),
    ):
        at = (t0 + timedelta(minutes=minutes)).isoformat()
        record_entry(ctx.uow(), ctx.clock, who, session.id, kind, raw, at)
    return session
