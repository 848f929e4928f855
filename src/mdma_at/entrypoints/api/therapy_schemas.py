"""API shapes of therapy notes and check-ins (issue 14, items 4-5): `XCreate` in, `XRead` out.

Limits (duration, SUDS scale, sleep hours, contact days) are the protocol's and are checked by
the domain, which names the field and the rule: they are not restated here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from mdma_at.domain.adverse_events import AeSeverity
from mdma_at.domain.check_ins import CheckIn, ContactMode
from mdma_at.domain.therapy_notes import Addendum, TherapyNote
from mdma_at.entrypoints.api.schemas import RecordId, Strict

LongText = Annotated[str, Field(max_length=10_000)]


class TherapyNoteCreate(Strict):
    visit_id: RecordId = Field(description="a preparation or integration visit of the patient")
    session_on: date = Field(description="the day the session took place")
    themes: LongText
    risks: LongText = Field(description="risks noticed; 'none noticed' is an answer")
    plan: LongText
    present: list[RecordId] = Field(
        max_length=10, description="user IDs of the therapists in the room (the signer among them)"
    )
    duration_minutes: int


class TherapyNoteRead(BaseModel):
    id: int
    patient_id: int
    visit_id: int
    session_on: date
    themes: str
    risks: str
    plan: str
    present: list[int]
    duration_minutes: int
    signed_by: int
    signed_at: datetime

    @classmethod
    def of(cls, note: TherapyNote) -> TherapyNoteRead:
        return cls(
            id=note.id,
            patient_id=note.patient_id,
            visit_id=note.visit_id,
            session_on=note.session_on,
            themes=note.themes,
            risks=note.risks,
            plan=note.plan,
            present=list(note.present),
            duration_minutes=note.duration_minutes,
            signed_by=note.signed_by,
            signed_at=note.signed_at,
        )


class AddendumCreate(Strict):
    reason: LongText = Field(description="why the signed note needs a correction")
    text: LongText


class AddendumRead(BaseModel):
    id: int
    note_id: int
    reason: str
    text: str
    signed_by: int
    signed_at: datetime

    @classmethod
    def of(cls, addendum: Addendum) -> AddendumRead:
        return cls(
            id=addendum.id,
            note_id=addendum.note_id,
            reason=addendum.reason,
            text=addendum.text,
            signed_by=addendum.signed_by,
            signed_at=addendum.signed_at,
        )


class CheckInCreate(Strict):
    on: date = Field(description="the day of the contact: day 1-7 after a dosing session")
    mode: ContactMode
    suds: int = Field(description="distress on the protocol's SUDS scale")
    sleep_hours: float = Field(description="hours slept in the last night")
    suicidal_thoughts: bool = False
    ae_term: str = Field("", max_length=2000, description="an adverse event reported, if any")
    ae_severity: AeSeverity | None = None
    notes: str = Field("", max_length=2000)
    cssrs_answers: list[Annotated[str, Field(max_length=8)]] | None = Field(
        None,
        max_length=7,
        description="C-SSRS screener answers (yes/no, item order); required when indicated",
    )


class CheckInRead(BaseModel):
    id: int
    patient_id: int
    session_id: int
    day: int
    on: date
    mode: ContactMode
    suds: int
    sleep_hours: float
    suicidal_thoughts: bool
    ae_term: str
    ae_severity: AeSeverity | None
    screener_indicated: bool
    indication: str
    administration_id: int | None
    safety_alert_ids: list[int] = []

    @classmethod
    def of(cls, check_in: CheckIn, alert_ids: list[int] | None = None) -> CheckInRead:
        return cls(
            id=check_in.id,
            patient_id=check_in.patient_id,
            session_id=check_in.session_id,
            day=check_in.day,
            on=check_in.on,
            mode=check_in.mode,
            suds=check_in.suds,
            sleep_hours=check_in.sleep_hours,
            suicidal_thoughts=check_in.suicidal_thoughts,
            ae_term=check_in.ae_term,
            ae_severity=check_in.ae_severity,
            screener_indicated=check_in.screener_indicated,
            indication=check_in.indication,
            administration_id=check_in.administration_id,
            safety_alert_ids=alert_ids or [],
        )


class CheckInDueRead(BaseModel):
    patient_id: int
    study_id: str
    session_id: int
    session_number: int
    day: int
    on: date
    overdue: bool
