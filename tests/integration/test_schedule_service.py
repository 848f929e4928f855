"""Enrolment, held visits, deviations, moves and withdrawal through the real services."""

from datetime import date, timedelta

import pytest

from mdma_at.bootstrap import Container
from mdma_at.domain.errors import Conflict, InvalidInput, UnknownProtocol
from mdma_at.domain.schedule.records import VisitStatus
from mdma_at.services.patients import registry as patients
from mdma_at.services.patients import schedule
from support.clinic import Clinic, register

ENROLLED = date(2026, 6, 1)  # the test clock reads 2026-11-22


@pytest.fixture
def enrolled(ctx: Container, clinic: Clinic):  # type: ignore[no-untyped-def]
    patient = register(ctx, clinic)
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ENROLLED
    )
    return patient, {v.code: v for v in visits}


def test_enrolment_generates_every_visit_with_target_and_window(ctx, clinic, enrolled) -> None:
    _, visits = enrolled
    assert len(visits) == 22
    prep1 = visits["prep1"]
    assert (prep1.target, prep1.window_start, prep1.window_end) == (
        ENROLLED + timedelta(7),
        ENROLLED,
        ENROLLED + timedelta(14),
    )
    assert all(v.status is VisitStatus.PLANNED for v in visits.values())


def test_enrolment_in_the_future_is_refused_and_nothing_is_written(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    with pytest.raises(InvalidInput) as refused:
        schedule.enrol(
            ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", date(2026, 11, 23)
        )
    assert refused.value.field == "enrolled_on"
    assert patients.chart(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id).enrolments == ()


def test_an_unknown_protocol_is_refused(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    with pytest.raises(UnknownProtocol, match="unknown protocol 'mapp_v9'"):
        schedule.enrol(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v9", ENROLLED)


def test_a_second_active_enrolment_is_refused(ctx, clinic, enrolled) -> None:
    patient, _ = enrolled
    with pytest.raises(Conflict, match="already enrolled"):
        schedule.enrol(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ENROLLED)


def test_a_visit_held_inside_its_window_records_no_deviation(ctx, clinic, enrolled) -> None:
    _, visits = enrolled
    result = schedule.record_visit(
        ctx.uow(), ctx.clock, clinic.therapist_a, visits["prep1"].id, visits["prep1"].window_end
    )
    assert result.deviation is None
    assert result.visit.held_on == visits["prep1"].window_end


def test_a_visit_held_a_day_outside_its_window_records_a_protocol_deviation(
    ctx, clinic, enrolled
) -> None:
    patient, visits = enrolled
    late = visits["prep1"].window_end + timedelta(days=1)
    result = schedule.record_visit(
        ctx.uow(), ctx.clock, clinic.therapist_a, visits["prep1"].id, late
    )
    assert result.deviation is not None
    assert "1 day(s) after its window" in result.deviation.description
    chart = patients.chart(ctx.uow(), ctx.clock, clinic.therapist_a, patient.id)
    assert [d.kind for d in chart.deviations[chart.enrolments[0].id]] == ["visit_out_of_window"]


def test_moving_a_dosing_session_replans_later_visits_and_names_what_cannot_fit(
    ctx, clinic, enrolled
) -> None:
    _, visits = enrolled
    new_date = visits["es3"].planned + timedelta(weeks=9)
    result = schedule.reschedule_visit(
        ctx.uow(), ctx.clock, clinic.coordinator_a, visits["es3"].id, new_date, "patient unwell"
    )
    assert result.visit.planned == new_date and result.visit.rescheduled
    changed = {v.code: v.planned for v in result.changed}
    assert changed["es3_int1"] == new_date + timedelta(days=1)
    assert changed["fu6m"] == new_date + timedelta(days=182)
    assert {"es3", "primary"} <= {issue.code for issue in result.issues}


def test_a_visit_moved_before_its_predecessor_is_refused_and_nothing_changes(
    ctx, clinic, enrolled
) -> None:
    patient, visits = enrolled
    too_early = visits["assess1"].planned - timedelta(days=1)
    with pytest.raises(InvalidInput, match="before the visit it follows"):
        schedule.reschedule_visit(
            ctx.uow(), ctx.clock, clinic.coordinator_a, visits["es2"].id, too_early, "clinic closed"
        )
    chart = patients.chart(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    es2 = next(v for v in chart.visits[chart.enrolments[0].id] if v.code == "es2")
    assert es2.planned == visits["es2"].planned and not es2.rescheduled


def test_withdrawal_keeps_held_visits_and_stops_future_ones(ctx, clinic, enrolled) -> None:
    patient, visits = enrolled
    schedule.record_visit(
        ctx.uow(), ctx.clock, clinic.therapist_a, visits["prep1"].id, visits["prep1"].planned
    )
    schedule.withdraw(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, date(2026, 7, 1), "relocated"
    )
    chart = patients.chart(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    statuses = {v.code: v.status for v in chart.visits[chart.enrolments[0].id]}
    assert statuses["prep1"] is VisitStatus.HELD
    assert {s for code, s in statuses.items() if code != "prep1"} == {VisitStatus.CANCELLED}
    with pytest.raises(Conflict, match="withdrawn"):
        schedule.record_visit(
            ctx.uow(), ctx.clock, clinic.therapist_a, visits["prep2"].id, visits["prep2"].planned
        )


def test_a_visit_cannot_be_recorded_in_the_future(ctx, clinic, enrolled) -> None:
    _, visits = enrolled
    with pytest.raises(InvalidInput, match="in the future"):
        schedule.record_visit(
            ctx.uow(), ctx.clock, clinic.therapist_a, visits["prep1"].id, date(2026, 11, 23)
        )
