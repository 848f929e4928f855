"""Safety alerts, clinician-rated forms, the clinic's due list and trajectories, on both DBs."""

from datetime import date

import pytest
from sqlalchemy import func, select

from mdma_at.adapters.db import tables as t
from mdma_at.bootstrap import Container
from mdma_at.domain.errors import Conflict, InvalidInput, PermissionDenied
from mdma_at.domain.instruments import ChangeCategory, DueStatus
from mdma_at.services.audit import verify_audit_chain
from mdma_at.services.measurement import measures, safety_alerts
from mdma_at.services.measurement.self_report import issue_self_report_link, submit_self_report
from mdma_at.services.patients import schedule
from support.clinic import Clinic, register

ENROLLED = date(2026, 6, 1)  # the test clock reads 2026-11-22
PHQ9_ITEM9 = ["1", "1", "1", "1", "1", "1", "1", "1", "2"]
SEVERE_CAPS = ["3"] * 20  # 60: every symptom present
MILD_CAPS = ["1"] * 10 + ["0"] * 10  # 10: no symptom present


def _count(ctx: Container, table: t.Table) -> int:
    with ctx.engine.connect() as db:
        return int(db.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture
def enrolled(ctx: Container, clinic: Clinic):  # type: ignore[no-untyped-def]
    patient = register(ctx, clinic)
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ENROLLED
    )
    return patient, {v.code: v for v in visits}


def _phq9_with_item9(ctx: Container, clinic: Clinic, patient_id: int):  # type: ignore[no-untyped-def]
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient_id)
    return submit_self_report(ctx.uow(), ctx.clock, issued.token, {"phq9": PHQ9_ITEM9})


def test_phq9_item9_above_zero_raises_an_open_critical_alert_for_the_physician(
    ctx, clinic, enrolled
) -> None:
    patient, _ = enrolled
    result = _phq9_with_item9(ctx, clinic, patient.id)
    (alert,) = result.stored[0].alerts
    assert (alert.code, alert.level, alert.item) == ("phq9_item9_positive", "critical", 9)
    queue = safety_alerts.open_safety_alerts(ctx.uow(), clinic.physician_a)
    assert [(p.id, a.id) for p, a in queue] == [(patient.id, alert.id)]
    chart = measures.patient_measures(ctx.uow(), ctx.clock, clinic.therapist_a, patient.id)
    assert [a.id for a in chart.open_alerts] == [alert.id]


def test_a_physician_acknowledges_with_the_action_taken_and_the_alert_leaves_the_queue(
    ctx, clinic, enrolled
) -> None:
    patient, _ = enrolled
    alert = _phq9_with_item9(ctx, clinic, patient.id).stored[0].alerts[0]
    closed = safety_alerts.acknowledge_safety_alert(
        ctx.uow(), ctx.clock, clinic.physician_a, alert.id, "  Called the patient; safety plan.  "
    )
    assert closed.action_taken == "Called the patient; safety plan."
    assert closed.acknowledged_by == "DR.A"
    assert safety_alerts.open_safety_alerts(ctx.uow(), clinic.physician_a) == []
    chart = measures.patient_measures(ctx.uow(), ctx.clock, clinic.physician_a, patient.id)
    assert chart.open_alerts == () and chart.alerts[0].action_taken
    with pytest.raises(Conflict, match=r"already acknowledged by DR\.A"):
        safety_alerts.acknowledge_safety_alert(
            ctx.uow(), ctx.clock, clinic.physician_a, alert.id, "again"
        )
    assert verify_audit_chain(ctx.uow()).intact


def test_acknowledging_needs_the_action_taken_and_a_physician_at_the_site(
    ctx, clinic, enrolled
) -> None:
    patient, _ = enrolled
    alert = _phq9_with_item9(ctx, clinic, patient.id).stored[0].alerts[0]
    with pytest.raises(InvalidInput) as refused:
        safety_alerts.acknowledge_safety_alert(
            ctx.uow(), ctx.clock, clinic.physician_a, alert.id, " "
        )
    assert refused.value.field == "action_taken"
    with pytest.raises(PermissionDenied):
        safety_alerts.acknowledge_safety_alert(
            ctx.uow(), ctx.clock, clinic.therapist_a, alert.id, "I called"
        )
    assert _count(ctx, t.instrument_alert_acknowledgements) == 0
    assert len(safety_alerts.open_safety_alerts(ctx.uow(), clinic.physician_a)) == 1
    assert safety_alerts.open_safety_alerts(ctx.uow(), clinic.therapist_b) == []


def test_a_high_risk_cssrs_screen_entered_by_a_clinician_raises_an_alert(
    ctx, clinic, enrolled
) -> None:
    patient, visits = enrolled
    stored = measures.record_clinician_instrument(
        ctx.uow(),
        ctx.clock,
        clinic.therapist_a,
        patient.id,
        "cssrs-screen",
        ["yes", "yes", "no", "yes", "no", "no", "no"],
        completed_on=date(2026, 11, 20),
        visit_id=visits["prep1"].id,
    )
    assert stored.administration.score.severity == "high"
    assert [a.code for a in stored.alerts] == ["cssrs_high_risk"]
    assert stored.administration.entered_by == clinic.therapist_a.user_id


def test_a_low_risk_cssrs_screen_raises_no_alert(ctx, clinic, enrolled) -> None:
    patient, _ = enrolled
    stored = measures.record_clinician_instrument(
        ctx.uow(),
        ctx.clock,
        clinic.physician_a,
        patient.id,
        "cssrs-screen",
        ["yes", "no", "", "", "", "no", ""],
        completed_on=date(2026, 11, 22),
    )
    assert stored.administration.score.severity == "low"
    assert stored.alerts == ()


def test_caps5_with_criteria_f_and_g_is_stored_with_its_diagnosis(ctx, clinic, enrolled) -> None:
    patient, visits = enrolled
    stored = measures.record_clinician_instrument(
        ctx.uow(),
        ctx.clock,
        clinic.therapist_a,
        patient.id,
        "caps5",
        SEVERE_CAPS,
        completed_on=date(2026, 7, 1),
        visit_id=visits["baseline"].id,
        criterion_f=True,
        criterion_g=True,
    )
    administration = stored.administration
    assert (administration.score.total, administration.score.severity) == (60, "extreme")
    assert administration.score.diagnosis is True
    assert (administration.criterion_f, administration.criterion_g) == (True, True)
    assert administration.score.clusters["D"].present == 7


def test_a_caps5_item_out_of_range_is_refused_naming_the_item_and_nothing_is_stored(
    ctx, clinic, enrolled
) -> None:
    patient, _ = enrolled
    answers = ["2"] * 20
    answers[3] = "5"
    with pytest.raises(InvalidInput) as refused:
        measures.record_clinician_instrument(
            ctx.uow(),
            ctx.clock,
            clinic.therapist_a,
            patient.id,
            "caps5",
            answers,
            completed_on=date(2026, 11, 22),
        )
    assert (refused.value.field, refused.value.reason) == ("items[4]", "5 is outside 0–4")
    assert _count(ctx, t.instrument_administrations) == 0


@pytest.mark.parametrize(
    ("instrument", "answers", "completed_on", "field", "reason"),
    [
        ("caps5", ["2"] * 19, date(2026, 11, 22), "items", "CAPS-5 has 20 items, got 19"),
        ("cssrs-screen", ["maybe"] + ["no"] * 6, date(2026, 11, 22), "items[1]", "not yes/no"),
        ("caps5", ["2"] * 20, date(2026, 11, 23), "completed_on", "in the future"),
        ("caps5", ["2"] * 20, date(2026, 5, 1), "completed_on", "before enrolment"),
        ("phq9", ["1"] * 9, date(2026, 11, 22), "instrument", "send the patient a link"),
        ("bdi2", ["1"] * 9, date(2026, 11, 22), "instrument", "unknown instrument 'bdi2'"),
        ("caps5", [""] * 20, date(2026, 11, 22), "items", "was left empty"),
    ],
)
def test_bad_clinician_input_is_refused_with_the_field_and_nothing_is_stored(
    ctx, clinic, enrolled, instrument, answers, completed_on, field, reason
) -> None:
    patient, _ = enrolled
    with pytest.raises(InvalidInput) as refused:
        measures.record_clinician_instrument(
            ctx.uow(),
            ctx.clock,
            clinic.therapist_a,
            patient.id,
            instrument,
            answers,
            completed_on=completed_on,
        )
    assert refused.value.field == field
    assert reason in refused.value.reason
    assert _count(ctx, t.instrument_administrations) == 0


def test_a_coordinator_cannot_enter_clinician_ratings(ctx, clinic, enrolled) -> None:
    patient, _ = enrolled
    with pytest.raises(PermissionDenied):
        measures.record_clinician_instrument(
            ctx.uow(),
            ctx.clock,
            clinic.coordinator_a,
            patient.id,
            "caps5",
            SEVERE_CAPS,
            completed_on=date(2026, 11, 22),
        )


def test_the_clinic_due_list_shows_overdue_instruments_until_they_are_recorded(
    ctx, clinic, enrolled
) -> None:
    patient, visits = enrolled
    before = measures.clinic_due(ctx.uow(), ctx.clock, clinic.coordinator_a)
    prep1 = [
        item.instrument
        for p, item in before.overdue
        if p.id == patient.id and item.visit_code == "prep1"
    ]
    assert sorted(prep1) == ["cssrs-screen", "gad7", "pcl5", "phq9"]
    assert before.overdue[0][1].days_overdue >= before.overdue[-1][1].days_overdue
    issued = issue_self_report_link(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, visit_id=visits["prep1"].id
    )
    submit_self_report(ctx.uow(), ctx.clock, issued.token, {"phq9": ["0"] * 9})
    after = measures.clinic_due(ctx.uow(), ctx.clock, clinic.coordinator_a)
    prep1_after = [
        item.instrument
        for p, item in after.overdue
        if p.id == patient.id and item.visit_code == "prep1"
    ]
    assert sorted(prep1_after) == ["cssrs-screen", "gad7", "pcl5"]
    assert all(item.status is DueStatus.OVERDUE for _, item in after.overdue)
    # another site's staff see none of it
    assert measures.clinic_due(ctx.uow(), ctx.clock, clinic.therapist_b).items == ()


def test_a_withdrawn_patient_leaves_the_due_list(ctx, clinic, enrolled) -> None:
    patient, _ = enrolled
    schedule.withdraw(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, date(2026, 11, 1), "moved"
    )
    assert measures.clinic_due(ctx.uow(), ctx.clock, clinic.coordinator_a).items == ()


def test_the_trajectory_marks_change_from_the_baseline_caps5(ctx, clinic, enrolled) -> None:
    patient, visits = enrolled
    for code, answers, day in (
        ("baseline", SEVERE_CAPS, date(2026, 7, 1)),
        ("primary", MILD_CAPS, date(2026, 11, 1)),
    ):
        measures.record_clinician_instrument(
            ctx.uow(),
            ctx.clock,
            clinic.therapist_a,
            patient.id,
            "caps5",
            answers,
            completed_on=day,
            visit_id=visits[code].id,
            criterion_f=True,
            criterion_g=True,
        )
    found = measures.patient_measures(ctx.uow(), ctx.clock, clinic.therapist_a, patient.id)
    (caps,) = found.trajectories
    assert [p.value for p in caps.points] == [60, 10]
    assert caps.points[0].change is None
    later = caps.points[1]
    assert later.delta == -50
    assert later.change is not None
    # 60 -> 10, diagnosis lost, 10 <= 11: the grades escalate and only the highest is given
    # (issue 9, item 12; ADR 0081).
    assert later.change.categories == (ChangeCategory.REMISSION,)
    assert later.measurement.visit_label == "Primary endpoint (18 weeks)"
    assert caps.bands[0].label == "asymptomatic"
