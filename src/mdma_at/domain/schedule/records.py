"""Enrolments and visits as stored: the patient's programme on a protocol."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from mdma_at.domain.schedule.definitions import VisitKind


class EnrolmentStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class VisitStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"  # stopped by withdrawal; the row is kept


@dataclass(frozen=True, slots=True)
class Enrolment:
    id: int
    patient_id: int
    protocol: str
    enrolled_on: date
    status: EnrolmentStatus
    withdrawn_on: date | None = None
    withdrawal_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Visit:
    id: int
    enrolment_id: int
    code: str
    kind: VisitKind
    label: str
    sequence: int
    dosing_number: int | None
    target: date
    window_start: date
    window_end: date
    planned: date
    status: VisitStatus
    rescheduled: bool = False
    held_on: date | None = None

    @property
    def in_window(self) -> bool:
        day = self.held_on or self.planned
        return self.window_start <= day <= self.window_end


@dataclass(frozen=True, slots=True)
class ProtocolDeviation:
    id: int
    enrolment_id: int
    visit_id: int | None
    kind: str
    description: str
    recorded_at: datetime
