"""API shapes of measurement-based care (issue 4): `XCreate` in, `XRead` out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from mdma_at.domain.instruments import DueItem
from mdma_at.domain.measurement.links import LONGEST_LINK_DAYS
from mdma_at.domain.measurement.records import Administration, SafetyAlert
from mdma_at.domain.patients import Patient
from mdma_at.entrypoints.api.schemas import RecordId, Strict


class ClinicianInstrumentCreate(Strict):
    instrument: str = Field(examples=["caps5"], description="cssrs-screen or caps5", max_length=32)
    answers: list[Annotated[str, Field(max_length=8)]] = Field(
        description="one answer per item in form order: ratings for the CAPS-5, yes/no for the "
        "C-SSRS screener; empty string = not answered",
        examples=[["2"] * 20],
        max_length=100,
    )
    completed_on: date
    visit_id: RecordId | None = None
    criterion_f: bool | None = Field(None, description="CAPS-5: duration more than 1 month")
    criterion_g: bool | None = Field(None, description="CAPS-5: distress or impairment")


class SelfReportLinkCreate(Strict):
    visit_id: RecordId | None = Field(None, description="default: the most urgent visit due")
    days_valid: int | None = Field(
        None, description="default 7 (site default)", ge=1, le=LONGEST_LINK_DAYS
    )
    reason: str = Field(
        "",
        description="why the link is needed: required when nothing is due at its visit or the "
        "patient is not enrolled (stored and audited)",
    )


class SelfReportLinkRead(BaseModel):
    id: int
    patient_id: int
    visit_id: int | None
    visit_label: str | None = Field(description="the visit the answers count for (None: none)")
    instruments: list[str]
    instrument_names: list[str]
    reason: str | None
    expires_at: datetime
    path: str = Field(description="/r/{token}: give it to the patient; shown once")


class AcknowledgementCreate(Strict):
    action_taken: str = Field(min_length=1, max_length=2000)


class SafetyAlertRead(BaseModel):
    id: int
    patient_id: int
    study_id: str | None = None
    administration_id: int
    instrument: str
    code: str
    level: str
    reason: str
    item: int | None
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    action_taken: str | None

    @classmethod
    def of(cls, alert: SafetyAlert, patient: Patient | None = None) -> SafetyAlertRead:
        return cls(
            id=alert.id,
            patient_id=alert.patient_id,
            study_id=patient.study_id if patient else None,
            administration_id=alert.administration_id,
            instrument=alert.instrument,
            code=alert.code,
            level=alert.level,
            reason=alert.reason,
            item=alert.item,
            raised_at=alert.raised_at,
            acknowledged_at=alert.acknowledged_at,
            acknowledged_by=alert.acknowledged_by,
            action_taken=alert.action_taken,
        )


class AdministrationRead(BaseModel):
    id: int
    instrument: str
    version: str
    panel_loinc: str | None
    total_loinc: str | None
    visit_id: int | None
    completed_on: date
    entered_through: str
    score: dict[str, Any] = Field(description="the `mdma-at score --json` object")
    alerts: list[SafetyAlertRead] = []

    @classmethod
    def of(
        cls, administration: Administration, alerts: tuple[SafetyAlert, ...] = ()
    ) -> AdministrationRead:
        return cls(
            id=administration.id,
            instrument=administration.instrument,
            version=administration.version,
            panel_loinc=administration.panel_loinc,
            total_loinc=administration.total_loinc,
            visit_id=administration.visit_id,
            completed_on=administration.completed_on,
            entered_through=administration.entered_through.value,
            score=administration.score.to_dict(),
            alerts=[SafetyAlertRead.of(a) for a in alerts],
        )


class DueRead(BaseModel):
    patient_id: int
    study_id: str
    instrument: str
    visit_code: str
    visit_label: str
    timing: str
    status: str
    due_from: date
    due_by: date
    days_overdue: int
    reason: str

    @classmethod
    def of(cls, patient: Patient, item: DueItem) -> DueRead:
        return cls(
            patient_id=patient.id,
            study_id=patient.study_id,
            instrument=str(item.instrument),
            visit_code=item.visit_code,
            visit_label=item.visit_label,
            timing=str(item.timing),
            status=str(item.status),
            due_from=item.due_from,
            due_by=item.due_by,
            days_overdue=item.days_overdue,
            reason=item.reason,
        )
