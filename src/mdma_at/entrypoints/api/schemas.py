"""API shapes (`XCreate` in, `XRead` out). Never the domain dataclasses or database rows."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from mdma_at.domain.patients import MAX_LENGTHS, STUDY_ID_PATTERN, Patient, PatientDetails
from mdma_at.domain.schedule.planning import PlanningIssue
from mdma_at.domain.schedule.records import Enrolment, ProtocolDeviation, Visit
from mdma_at.domain.vocabulary import Sex
from mdma_at.entrypoints.api.errors import MAX_RECORD_ID
from mdma_at.services.patients.registry import Chart


class Strict(BaseModel):
    """Every request body: unknown fields refused, numbers finite (no NaN or Infinity, which
    Python's float accepts), so a request is refused here rather than stored wrong."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


#: A reference to a stored record: beyond the databases' integer range nothing is stored.
RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]
#: A free-text reason (audited): the same limit on SQLite and PostgreSQL.
MAX_REASON = 2000
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


def _text(field: str) -> str:
    text: str = Field("", max_length=MAX_LENGTHS[field])
    return text


class PatientCreate(Strict):
    site_id: RecordId
    study_id: str = Field(
        examples=["HC-0042"], max_length=MAX_LENGTHS["study_id"], pattern=STUDY_ID_PATTERN.pattern
    )
    name: str = Field(max_length=MAX_LENGTHS["name"])
    date_of_birth: date
    sex: Sex
    phone: str = _text("phone")
    email: str = _text("email")
    emergency_contact_name: str = _text("emergency_contact_name")
    emergency_contact_phone: str = _text("emergency_contact_phone")

    def details(self) -> PatientDetails:
        return PatientDetails(**self.model_dump(exclude={"site_id"}))


class PatientRead(BaseModel):
    id: int
    site_id: int
    study_id: str
    name: str
    date_of_birth: date
    sex: Sex
    phone: str
    email: str
    emergency_contact_name: str
    emergency_contact_phone: str

    @classmethod
    def of(cls, patient: Patient) -> PatientRead:
        d = patient.details
        return cls(
            id=patient.id,
            site_id=patient.site_id,
            study_id=d.study_id,
            name=d.name,
            date_of_birth=d.date_of_birth,
            sex=d.sex,
            phone=d.phone,
            email=d.email,
            emergency_contact_name=d.emergency_contact_name,
            emergency_contact_phone=d.emergency_contact_phone,
        )


class EnrolmentCreate(Strict):
    protocol: str = Field(examples=["mapp_v1"], max_length=32)
    enrolled_on: date


class VisitHeld(Strict):
    held_on: date


class VisitReschedule(Strict):
    planned: date = Field(description="the new date")
    reason: Reason


class WithdrawalCreate(Strict):
    withdrawn_on: date
    reason: Reason


class VisitRead(BaseModel):
    id: int
    code: str
    kind: str
    label: str
    sequence: int
    dosing_number: int | None
    target: date
    window_start: date
    window_end: date
    planned: date
    status: str
    rescheduled: bool
    held_on: date | None

    @classmethod
    def of(cls, visit: Visit) -> VisitRead:
        return cls(
            id=visit.id,
            code=visit.code,
            kind=visit.kind.value,
            label=visit.label,
            sequence=visit.sequence,
            dosing_number=visit.dosing_number,
            target=visit.target,
            window_start=visit.window_start,
            window_end=visit.window_end,
            planned=visit.planned,
            status=visit.status.value,
            rescheduled=visit.rescheduled,
            held_on=visit.held_on,
        )


class DeviationRead(BaseModel):
    id: int
    visit_id: int | None
    kind: str
    description: str

    @classmethod
    def of(cls, deviation: ProtocolDeviation) -> DeviationRead:
        return cls(
            id=deviation.id,
            visit_id=deviation.visit_id,
            kind=deviation.kind,
            description=deviation.description,
        )


class EnrolmentRead(BaseModel):
    id: int
    protocol: str
    enrolled_on: date
    status: str
    withdrawn_on: date | None
    withdrawal_reason: str | None
    visits: list[VisitRead]
    deviations: list[DeviationRead]

    @classmethod
    def of(
        cls,
        enrolment: Enrolment,
        visits: tuple[Visit, ...],
        deviations: tuple[ProtocolDeviation, ...],
    ) -> EnrolmentRead:
        return cls(
            id=enrolment.id,
            protocol=enrolment.protocol,
            enrolled_on=enrolment.enrolled_on,
            status=enrolment.status.value,
            withdrawn_on=enrolment.withdrawn_on,
            withdrawal_reason=enrolment.withdrawal_reason,
            visits=[VisitRead.of(v) for v in visits],
            deviations=[DeviationRead.of(d) for d in deviations],
        )


class ChartRead(BaseModel):
    patient: PatientRead
    enrolments: list[EnrolmentRead]

    @classmethod
    def of(cls, chart: Chart) -> ChartRead:
        return cls(
            patient=PatientRead.of(chart.patient),
            enrolments=[
                EnrolmentRead.of(e, chart.visits[e.id], chart.deviations[e.id])
                for e in chart.enrolments
            ],
        )


class IssueRead(BaseModel):
    code: str
    reason: str

    @classmethod
    def of(cls, issue: PlanningIssue) -> IssueRead:
        return cls(code=issue.code, reason=issue.reason)


class VisitHeldRead(BaseModel):
    visit: VisitRead
    deviation: DeviationRead | None


class ReplanRead(BaseModel):
    visit: VisitRead
    replanned: list[VisitRead]
    cannot_fit: list[IssueRead]


class MeRead(BaseModel):
    id: int
    username: str
    full_name: str
    roles: dict[int, list[str]]


class AuditVerdictRead(BaseModel):
    intact: bool
    events_checked: int
    first_broken_event: int | None
    reason: str | None
