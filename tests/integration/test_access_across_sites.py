"""Role and site are checked in every use case; denials are refused and audited.

A patient at a site where the caller holds no role is "no patient", exactly like an ID that does
not exist (issue 10, item 7): the answer does not tell whether the patient exists.
"""

from datetime import date

import pytest

from mdma_at.bootstrap import Container
from mdma_at.domain.errors import NotFound, PermissionDenied
from mdma_at.services.patients import registry as patients
from mdma_at.services.patients import schedule
from support.clinic import Clinic, register


def test_a_therapist_at_site_b_cannot_read_a_site_a_chart_and_the_denial_is_audited(
    ctx: Container, clinic: Clinic
) -> None:
    patient = register(ctx, clinic)
    with pytest.raises(NotFound) as hidden:
        patients.chart(ctx.uow(), ctx.clock, clinic.therapist_b, patient.id)
    with pytest.raises(NotFound) as missing:
        patients.chart(ctx.uow(), ctx.clock, clinic.therapist_b, patient.id + 1000)
    assert str(hidden.value) == f"no patient {patient.id}"
    assert str(missing.value) == f"no patient {patient.id + 1000}"
    with ctx.uow() as uow:
        denial = uow.audit.recent(1)[0].content
    assert (denial.action, denial.actor, denial.entity_id) == (
        "access_denied",
        "t.b",
        str(patient.id),
    )


def test_a_therapist_at_site_b_cannot_change_a_site_a_patient(
    ctx: Container, clinic: Clinic
) -> None:
    patient = register(ctx, clinic)
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", date(2026, 11, 1)
    )
    with pytest.raises(NotFound):
        schedule.record_visit(
            ctx.uow(), ctx.clock, clinic.therapist_b, visits[0].id, date(2026, 11, 8)
        )
    with pytest.raises(NotFound):
        schedule.withdraw(
            ctx.uow(), ctx.clock, clinic.therapist_b, patient.id, date(2026, 11, 20), "test"
        )
    chart = patients.chart(ctx.uow(), ctx.clock, clinic.therapist_a, patient.id)
    assert chart.visits[chart.enrolments[0].id][0].held_on is None


def test_patient_lists_show_only_the_callers_sites(ctx: Container, clinic: Clinic) -> None:
    register(ctx, clinic, "HC-A1")
    register(ctx, clinic, "HC-B1", site=clinic.site_b)
    seen_by_a = [p.study_id for p in patients.find_patients(ctx.uow(), clinic.therapist_a)]
    seen_by_b = [p.study_id for p in patients.find_patients(ctx.uow(), clinic.therapist_b)]
    assert (seen_by_a, seen_by_b) == (["HC-A1"], ["HC-B1"])


def test_a_therapist_may_not_register_patients(ctx: Container, clinic: Clinic) -> None:
    from mdma_at.domain.patients import PatientDetails, Sex

    details = PatientDetails("HC-0009", "X Y", date(1990, 1, 1), Sex.MALE)
    with pytest.raises(PermissionDenied):
        patients.register_patient(
            ctx.uow(), ctx.clock, clinic.therapist_a, clinic.site_a.id, details
        )
