"""Screening in the clinic through the real services, on SQLite and PostgreSQL: stored intake and
verdict, the physician's signature and override, and the gate before the first dosing session."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from mdma_at.bootstrap import Container
from mdma_at.domain.eligibility import Decision
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from mdma_at.domain.schedule.records import VisitStatus
from mdma_at.services.patients import consent, schedule
from mdma_at.services.screening import workup as screening
from support.clinic import Clinic, register

TODAY = date(2026, 11, 22)  # the test clock
ENROLLED = date(2026, 10, 1)  # es1 planned on 2026-11-01

ELIGIBLE: dict[str, Any] = {
    "screening_date": "2026-09-20",
    "age": 42,
    "sex": "female",
    "childbearing_potential": True,
    "pregnant": False,
    "breastfeeding": False,
    "pregnancy_test": "negative",
    "vitals": {"systolic": 124, "diastolic": 78, "heart_rate": 70, "temperature_c": 36.6},
    "ecg": {"qtc_ms": 420},
    "ptsd": {"caps5_total": 44, "meets_dsm5": True, "duration_months": 40},
    "conditions": [],
    "substance_use": [],
    "suicide_risk": "low",
    "medications": [],
}


def intake(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(ELIGIBLE)
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for key in parents:
            target = target[key]
        target[last] = value
    return data


@pytest.fixture
def enrolled(ctx: Container, clinic: Clinic):  # type: ignore[no-untyped-def]
    patient = register(ctx, clinic)
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ENROLLED
    )
    return patient, {v.code: v for v in visits}


def give_consent(ctx: Container, clinic: Clinic, patient_id: int, on: date = ENROLLED) -> None:
    with ctx.uow() as uow:
        documents = uow.consents.documents(clinic.site_a.id)
    if not documents:
        documents = [
            consent.publish_consent_document(
                ctx.uow(),
                ctx.clock,
                clinic.admin,
                clinic.site_a.id,
                title="Consent to MDMA-assisted therapy",
                version=1,
                effective_on=date(2026, 1, 1),
                text="What the programme involves ...",
            )
        ]
    consent.sign_consent(
        ctx.uow(),
        ctx.clock,
        clinic.coordinator_a,
        patient_id,
        document_id=documents[-1].id,
        signed_name="Jordan Reyes",
        witness_id=clinic.therapist_a.user_id,
        signed_at=datetime.combine(on, datetime.min.time(), UTC),
    )


def audit_actions(ctx: Container) -> list[str]:
    with ctx.uow() as uow:
        return [e.content.action for e in uow.audit.events()]


def test_a_screening_is_stored_with_the_intake_the_verdict_who_and_when(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake()
    )
    again = screening.get_screening(ctx.uow(), ctx.clock, clinic.physician_a, stored.id)
    assert again.decision is Decision.ELIGIBLE and again.signature is None
    assert again.intake["ecg"] == {"qtc_ms": 420}
    assert {c["id"] for c in again.criteria} >= {"age", "qtc", "caps5_total", "pregnancy_test"}
    assert all(set(c) == {"id", "status", "reason", "source"} for c in again.criteria)
    assert again.recorded_by == clinic.coordinator_a.user_id
    assert again.recorded_at == ctx.clock.now()
    assert "screening_recorded" in audit_actions(ctx)


def test_an_ineligible_verdict_is_stored_like_any_other(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake(ecg__qtc_ms=461)
    )
    assert stored.decision is Decision.INELIGIBLE
    qtc = next(c for c in stored.criteria if c["id"] == "qtc")
    assert qtc["status"] == "not_met" and "461" in qtc["reason"] and "460" in qtc["reason"]


BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"age": -1}, "age"),
    ({"age": 130}, "age"),
    ({"vitals__diastolic": 130, "vitals__systolic": 120}, "vitals.diastolic"),
    ({"vitals__diastolic": 120, "vitals__systolic": 120}, "vitals.diastolic"),
    ({"ecg__qtc_ms": 249}, "ecg.qtc_ms"),
    ({"ecg__qtc_ms": 701}, "ecg.qtc_ms"),
    (
        {"medications": [{"name": "sertraline", "last_dose": "2026-09-21"}]},
        "medications[0].last_dose",
    ),
    ({"screening_date": "2026-02-30"}, "screening_date"),
    ({"screening_date": "2026-11-23"}, "screening_date"),
    # Issue 10: a NaN temperature was stored as eligible; every non-finite number is refused.
    ({"vitals__temperature_c": float("nan")}, "vitals.temperature_c"),
    ({"weight_kg": float("inf")}, "weight_kg"),
    # Issue 9: a medication without a name; a last dose or last use after today (the test clock
    # reads 2026-11-22) though before the screening date: the entry is named.
    ({"medications": [{"name": " ", "last_dose": "2026-09-01"}]}, "medications[0].name"),
    ({"medications": [{"last_dose": "2026-09-01"}]}, "medications[0].name"),
    (
        {"screening_date": "2026-11-30",
         "medications": [{"name": "sertraline", "last_dose": "2026-11-25"}]},
        "medications[0].last_dose",
    ),
    (
        {"screening_date": "2026-11-30",
         "substance_use": [{"substance": "cocaine", "severity": "mild", "in_remission": False,
                            "last_use": "2026-11-23"}]},
        "substance_use[0].last_use",
    ),
]  # fmt: skip


def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    before = audit_actions(ctx)
    for changes, field in BAD_INPUT:
        with pytest.raises(InvalidInput) as refused:
            screening.record_screening(
                ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake(**changes)
            )
        assert refused.value.field == field, changes
    assert screening.screenings_for(ctx.uow(), ctx.clock, clinic.physician_a, patient.id) == ()
    assert audit_actions(ctx) == before


def test_a_physician_signs_the_verdict_as_computed(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake()
    )
    signed = screening.sign_screening(ctx.uow(), ctx.clock, clinic.physician_a, stored.id)
    assert signed.signature is not None
    assert signed.signature.decision is Decision.ELIGIBLE and not signed.signature.overridden
    assert signed.signature.signed_by == clinic.physician_a.user_id
    assert audit_actions(ctx)[-1] == "screening_signed"
    with pytest.raises(Conflict, match="already signed"):
        screening.sign_screening(ctx.uow(), ctx.clock, clinic.physician_a, stored.id)


def test_only_a_physician_signs_and_a_refusal_is_audited(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake()
    )
    with pytest.raises(PermissionDenied):
        screening.sign_screening(ctx.uow(), ctx.clock, clinic.coordinator_a, stored.id)
    assert audit_actions(ctx)[-1] == "access_denied"


def test_an_override_needs_a_reason_and_is_audited_with_it(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    review = intake(conditions=[{"code": "seizure_disorder", "controlled": None}])
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, review
    )
    assert stored.decision is Decision.NEEDS_REVIEW
    with pytest.raises(InvalidInput) as refused:
        screening.sign_screening(
            ctx.uow(), ctx.clock, clinic.physician_a, stored.id, Decision.ELIGIBLE, "  "
        )
    assert refused.value.field == "reason"
    reason = "single febrile seizure in childhood; neurology letter on file"
    signed = screening.sign_screening(
        ctx.uow(), ctx.clock, clinic.physician_a, stored.id, Decision.ELIGIBLE, reason
    )
    assert signed.final_decision is Decision.ELIGIBLE and signed.decision is Decision.NEEDS_REVIEW
    assert signed.signature is not None and signed.signature.override_reason == reason
    with ctx.uow() as uow:
        event = uow.audit.recent(1)[0].content
    assert event.action == "screening_overridden" and event.reason == reason
    assert '"needs_review"' in (event.before or "") and '"eligible"' in (event.after or "")


def test_only_the_most_recent_screening_can_be_signed(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    first = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake()
    )
    screening.record_screening(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake())
    with pytest.raises(Conflict, match="newer screening"):
        screening.sign_screening(ctx.uow(), ctx.clock, clinic.physician_a, first.id)


def test_the_first_dosing_session_is_refused_until_a_signed_eligible_verdict(
    ctx, clinic, enrolled
) -> None:
    patient, visits = enrolled
    es1 = visits["es1"]
    give_consent(ctx, clinic, patient.id)
    with pytest.raises(Conflict, match="no screening is recorded"):
        schedule.record_visit(ctx.uow(), ctx.clock, clinic.therapist_a, es1.id, es1.planned)
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake()
    )
    with pytest.raises(Conflict, match="not signed by a physician yet"):
        schedule.reschedule_visit(
            ctx.uow(), ctx.clock, clinic.coordinator_a, es1.id, es1.planned, "clinic closed"
        )
    screening.sign_screening(ctx.uow(), ctx.clock, clinic.physician_a, stored.id)
    held = schedule.record_visit(ctx.uow(), ctx.clock, clinic.therapist_a, es1.id, es1.planned)
    assert held.visit.status is VisitStatus.HELD


def test_an_ineligible_or_unsigned_review_verdict_keeps_the_first_dosing_session_closed(
    ctx, clinic, enrolled
) -> None:
    patient, visits = enrolled
    give_consent(ctx, clinic, patient.id)
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake(suicide_risk="high")
    )
    screening.sign_screening(ctx.uow(), ctx.clock, clinic.physician_a, stored.id)
    with pytest.raises(Conflict, match="ineligible, not eligible"):
        schedule.record_visit(
            ctx.uow(), ctx.clock, clinic.therapist_a, visits["es1"].id, visits["es1"].planned
        )
    chart_es1 = screening.first_dosing_status(
        ctx.uow(), ctx.clock, clinic.therapist_a, patient.id, visits["es1"].planned
    )
    assert not chart_es1.allowed


def test_the_first_dosing_session_cannot_be_set_before_the_washout_clears(
    ctx, clinic, enrolled
) -> None:
    patient, visits = enrolled
    give_consent(ctx, clinic, patient.id)
    # sertraline: t½ 104 h → 5 × 104 h = 21.67 days + 7 → 29 days: clears 2026-10-19 + 29 days
    washout = intake(
        screening_date="2026-10-20",
        medications=[{"name": "sertraline", "last_dose": "2026-10-19"}],
    )
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, washout
    )
    assert stored.decision is Decision.ELIGIBLE_AFTER_WASHOUT
    assert stored.earliest_baseline == date(2026, 11, 17)
    screening.sign_screening(ctx.uow(), ctx.clock, clinic.physician_a, stored.id)
    es1 = visits["es1"]
    with pytest.raises(InvalidInput) as refused:
        schedule.reschedule_visit(
            ctx.uow(), ctx.clock, clinic.coordinator_a, es1.id, date(2026, 11, 16), "washout"
        )
    assert refused.value.field == "date"
    assert "before the earliest baseline 2026-11-17" in refused.value.reason
    with pytest.raises(InvalidInput, match="earliest baseline"):
        schedule.record_visit(ctx.uow(), ctx.clock, clinic.therapist_a, es1.id, es1.planned)
    moved = schedule.reschedule_visit(
        ctx.uow(), ctx.clock, clinic.coordinator_a, es1.id, date(2026, 11, 17), "after washout"
    )
    assert moved.visit.planned == date(2026, 11, 17)
    held = schedule.record_visit(
        ctx.uow(), ctx.clock, clinic.therapist_a, es1.id, date(2026, 11, 17)
    )
    assert held.visit.held_on == date(2026, 11, 17)


def test_the_first_dosing_session_needs_current_consent(ctx, clinic, enrolled) -> None:
    patient, visits = enrolled
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake()
    )
    screening.sign_screening(ctx.uow(), ctx.clock, clinic.physician_a, stored.id)
    es1 = visits["es1"]
    with pytest.raises(Conflict, match="consent is none"):
        schedule.record_visit(ctx.uow(), ctx.clock, clinic.therapist_a, es1.id, es1.planned)
    give_consent(ctx, clinic, patient.id)
    schedule.record_visit(ctx.uow(), ctx.clock, clinic.therapist_a, es1.id, es1.planned)


def test_other_visits_are_not_gated(ctx, clinic, enrolled) -> None:
    _, visits = enrolled
    result = schedule.reschedule_visit(
        ctx.uow(),
        ctx.clock,
        clinic.coordinator_a,
        visits["es2"].id,
        visits["es2"].planned + timedelta(days=2),
        "holiday",
    )
    assert result.visit.rescheduled


def test_the_chart_panel_shows_the_latest_verdict_consent_and_gate(ctx, clinic, enrolled) -> None:
    patient, _ = enrolled
    panel = screening.screening_panel(ctx.uow(), ctx.clock, clinic.therapist_a, patient.id)
    assert panel.latest is None and not panel.gate.allowed
    assert panel.consent.status.value == "none"
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake()
    )
    screening.sign_screening(ctx.uow(), ctx.clock, clinic.physician_a, stored.id)
    give_consent(ctx, clinic, patient.id)
    panel = screening.screening_panel(ctx.uow(), ctx.clock, clinic.therapist_a, patient.id)
    assert panel.latest is not None and panel.latest.signed and panel.gate.allowed


def test_screenings_are_invisible_across_sites(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    screening.record_screening(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, intake())
    with pytest.raises(NotFound):  # not 403: another site's patient is not there (issue 10)
        screening.screenings_for(ctx.uow(), ctx.clock, clinic.therapist_b, patient.id)
