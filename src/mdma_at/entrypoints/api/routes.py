"""The JSON API under /api. Each route parses, calls one service, renders."""

from __future__ import annotations

from fastapi import APIRouter

from mdma_at.entrypoints.api.deps import ApiPrincipal, ContainerDep
from mdma_at.entrypoints.api.errors import problem_responses
from mdma_at.entrypoints.api.schemas import (
    AuditVerdictRead,
    ChartRead,
    DeviationRead,
    EnrolmentCreate,
    EnrolmentRead,
    IssueRead,
    MeRead,
    PatientCreate,
    PatientRead,
    ReplanRead,
    VisitHeld,
    VisitHeldRead,
    VisitRead,
    VisitReschedule,
    WithdrawalCreate,
)
from mdma_at.services.audit import verify_audit_chain_for
from mdma_at.services.patients import registry as patients
from mdma_at.services.patients import schedule

router = APIRouter(prefix="/api", tags=["api"], responses=problem_responses())


@router.get("/me")
def read_me(principal: ApiPrincipal) -> MeRead:
    """Who the token belongs to, and their roles per site."""
    return MeRead(
        id=principal.user_id,
        username=principal.username,
        full_name=principal.full_name,
        roles={
            site: sorted(r.value for r in roles) for site, roles in principal.roles_by_site.items()
        },
    )


@router.get("/patients")
def list_patients(ctx: ContainerDep, principal: ApiPrincipal, q: str = "") -> list[PatientRead]:
    """Patients at the caller's sites whose study ID or name contains `q`."""
    return [PatientRead.of(p) for p in patients.find_patients(ctx.uow(), principal, q)]


@router.post("/patients", status_code=201)
def register_patient(
    ctx: ContainerDep, principal: ApiPrincipal, body: PatientCreate
) -> PatientRead:
    """Register a patient at a site (coordinator, physician or admin there)."""
    patient = patients.register_patient(
        ctx.uow(), ctx.clock, principal, body.site_id, body.details()
    )
    return PatientRead.of(patient)


@router.get("/patients/{patient_id}")
def read_chart(ctx: ContainerDep, principal: ApiPrincipal, patient_id: int) -> ChartRead:
    """The patient's chart: details, enrolments, visits with windows, deviations."""
    return ChartRead.of(patients.chart(ctx.uow(), ctx.clock, principal, patient_id))


@router.post("/patients/{patient_id}/enrolments", status_code=201)
def enrol(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, body: EnrolmentCreate
) -> EnrolmentRead:
    """Enrol on a protocol; every visit is generated with its target date and window."""
    enrolment, visits = schedule.enrol(
        ctx.uow(), ctx.clock, principal, patient_id, body.protocol, body.enrolled_on
    )
    return EnrolmentRead.of(enrolment, visits, ())


@router.post("/visits/{visit_id}/held")
def record_visit(
    ctx: ContainerDep, principal: ApiPrincipal, visit_id: int, body: VisitHeld
) -> VisitHeldRead:
    """Record a visit as held; outside its window a protocol deviation is recorded too."""
    result = schedule.record_visit(ctx.uow(), ctx.clock, principal, visit_id, body.held_on)
    deviation = DeviationRead.of(result.deviation) if result.deviation else None
    return VisitHeldRead(visit=VisitRead.of(result.visit), deviation=deviation)


@router.post("/visits/{visit_id}/reschedule")
def reschedule_visit(
    ctx: ContainerDep, principal: ApiPrincipal, visit_id: int, body: VisitReschedule
) -> ReplanRead:
    """Move a planned visit; later visits are re-planned and those that cannot fit are named."""
    result = schedule.reschedule_visit(
        ctx.uow(), ctx.clock, principal, visit_id, body.planned, body.reason
    )
    return ReplanRead(
        visit=VisitRead.of(result.visit),
        replanned=[VisitRead.of(v) for v in result.changed if v.id != result.visit.id],
        cannot_fit=[IssueRead.of(i) for i in result.issues],
    )


@router.post("/patients/{patient_id}/withdrawal")
def withdraw(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, body: WithdrawalCreate
) -> EnrolmentRead:
    """Withdraw from the programme: data is kept, planned visits are cancelled."""
    enrolment = schedule.withdraw(
        ctx.uow(), ctx.clock, principal, patient_id, body.withdrawn_on, body.reason
    )
    return EnrolmentRead.of(enrolment, (), ())


@router.get("/audit/verify")
def verify_audit(ctx: ContainerDep, principal: ApiPrincipal) -> AuditVerdictRead:
    """Recompute the audit trail's hash chain (admins)."""
    verdict = verify_audit_chain_for(ctx.uow(), principal, ctx.checkpoints)
    return AuditVerdictRead(
        intact=verdict.intact,
        events_checked=verdict.events_checked,
        first_broken_event=verdict.first_broken_id,
        reason=verdict.reason,
    )
