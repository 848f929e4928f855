"""The measurement-based care API: due list, clinician-rated instruments, self-report links,
safety alerts. Each route parses, calls one service, renders (issue 4)."""

from __future__ import annotations

from fastapi import APIRouter

from mdma_at.domain.measurement.records import SafetyAlert
from mdma_at.entrypoints.api.deps import ApiPrincipal, ContainerDep
from mdma_at.entrypoints.api.errors import problem_responses
from mdma_at.entrypoints.api.instruments_schemas import (
    AcknowledgementCreate,
    AdministrationRead,
    ClinicianInstrumentCreate,
    DueRead,
    SafetyAlertRead,
    SelfReportLinkCreate,
    SelfReportLinkRead,
)
from mdma_at.services.measurement import measures, safety_alerts, self_report

router = APIRouter(prefix="/api", tags=["measures"], responses=problem_responses())


@router.get("/measures/due")
def list_due(ctx: ContainerDep, principal: ApiPrincipal) -> list[DueRead]:
    """Instruments overdue (most days first) and due now, for every active patient."""
    clinic = measures.clinic_due(ctx.uow(), ctx.clock, principal)
    return [DueRead.of(patient, item) for patient, item in clinic.items]


@router.get("/patients/{patient_id}/administrations")
def list_administrations(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int
) -> list[AdministrationRead]:
    """Every instrument completed by the patient, oldest first, with its score."""
    found = measures.patient_measures(ctx.uow(), ctx.clock, principal, patient_id)
    by_administration: dict[int, list[SafetyAlert]] = {}
    for alert in found.alerts:
        by_administration.setdefault(alert.administration_id, []).append(alert)
    return [
        AdministrationRead.of(a, tuple(by_administration.get(a.id, ())))
        for a in found.administrations
    ]


@router.post("/patients/{patient_id}/administrations", status_code=201)
def record_clinician_instrument(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, body: ClinicianInstrumentCreate
) -> AdministrationRead:
    """Record a C-SSRS screener or a CAPS-5 (422 naming the item on bad input; nothing stored)."""
    stored = measures.record_clinician_instrument(
        ctx.uow(),
        ctx.clock,
        principal,
        patient_id,
        body.instrument,
        body.answers,
        completed_on=body.completed_on,
        visit_id=body.visit_id,
        criterion_f=body.criterion_f,
        criterion_g=body.criterion_g,
    )
    return AdministrationRead.of(stored.administration, stored.alerts)


@router.post("/patients/{patient_id}/self-report-links", status_code=201)
def issue_self_report_link(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, body: SelfReportLinkCreate
) -> SelfReportLinkRead:
    """A single-use link to the PHQ-9, GAD-7 and PCL-5 for a visit; its path is returned once.

    With nothing due at the visit (or the patient not enrolled), `reason` is required (422)."""
    issued = self_report.issue_self_report_link(
        ctx.uow(),
        ctx.clock,
        principal,
        patient_id,
        visit_id=body.visit_id,
        days_valid=body.days_valid,
        reason=body.reason,
    )
    link = issued.link
    return SelfReportLinkRead(
        id=link.id,
        patient_id=link.patient_id,
        visit_id=link.visit_id,
        visit_label=issued.visit_label,
        instruments=list(link.instruments),
        instrument_names=list(issued.instrument_names),
        reason=link.reason,
        expires_at=link.expires_at,
        path=f"/r/{issued.token}",
    )


@router.get("/alerts")
def list_open_alerts(ctx: ContainerDep, principal: ApiPrincipal) -> list[SafetyAlertRead]:
    """Open safety alerts at the caller's sites, newest first."""
    return [
        SafetyAlertRead.of(alert, patient)
        for patient, alert in safety_alerts.open_safety_alerts(ctx.uow(), principal)
    ]


@router.post("/alerts/{alert_id}/acknowledgement")
def acknowledge_alert(
    ctx: ContainerDep, principal: ApiPrincipal, alert_id: int, body: AcknowledgementCreate
) -> SafetyAlertRead:
    """A physician closes an alert with the action taken (409 when already acknowledged)."""
    alert = safety_alerts.acknowledge_safety_alert(
        ctx.uow(), ctx.clock, principal, alert_id, body.action_taken
    )
    return SafetyAlertRead.of(alert)
