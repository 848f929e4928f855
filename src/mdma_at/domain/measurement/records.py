"""Questionnaires, alerts and self-report links as stored (read back by the repositories)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from mdma_at.domain.instruments.results import Score


class EnteredThrough(StrEnum):
    """How the answers reached the record."""

    SELF_REPORT_LINK = "self_report_link"  # the patient, at a self-report link
    STAFF = "staff"  # a clinician or rater, in the staff form


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """One item's answer with the codes it was stored with."""

    number: int
    label: str
    value: int | None
    loinc: str | None
    answer_loinc: str | None


@dataclass(frozen=True, slots=True)
class Administration:
    """One completed instrument: who, when, for which visit, its score and its version/codes."""

    id: int
    patient_id: int
    visit_id: int | None
    instrument: str
    version: str
    panel_loinc: str | None
    total_loinc: str | None
    completed_on: date
    recorded_at: datetime
    entered_through: EnteredThrough
    entered_by: int | None
    link_id: int | None
    criterion_f: bool | None
    criterion_g: bool | None
    score: Score


@dataclass(frozen=True, slots=True)
class SafetyAlert:
    """An alert raised by a score, open until a physician acknowledges it."""

    id: int
    patient_id: int
    site_id: int
    administration_id: int
    instrument: str
    code: str
    level: str
    reason: str
    item: int | None
    source: str
    raised_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    action_taken: str | None = None

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


@dataclass(frozen=True, slots=True)
class SelfReportLink:
    """A link as stored: only the SHA-256 of its token is kept."""

    id: int
    patient_id: int
    visit_id: int | None
    instruments: tuple[str, ...]
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    reason: str | None = None  # why a link was issued with nothing due (issue 14, item 7)


@dataclass(frozen=True, slots=True)
class LinkDelivery:
    """One attempt to send a link to the patient: sent, or failed with the reason.

    The message itself (which holds the token) is never stored."""

    id: int
    link_id: int
    channel: str
    recipient: str
    status: str  # links.DeliveryStatus
    error: str | None
    sent_by: int | None
    at: datetime
