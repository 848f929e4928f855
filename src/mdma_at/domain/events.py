"""Domain events: what happened in the clinic that another part of the system reacts to.

Small frozen records of facts already stored (ids, times, levels), never commands: "a critical
alert was raised", not "page the physician". A use case hands them to its unit of work
(`uow.emit`); the unit of work dispatches them to their handlers only after its commit, each
handler in its own unit of work (ADR 0009). Pure: standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.vocabulary import AlertLevel


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """The common type of every domain event (it carries no field itself)."""


@dataclass(frozen=True, slots=True)
class SessionEvent(DomainEvent):
    """Something an entry of a dosing session caused: the session, its patient and the entry."""

    session_id: int
    patient_id: int
    entry_id: int
    t: datetime  # when it happened, as entered (the entry's time)


@dataclass(frozen=True, slots=True)
class AlertRaised(SessionEvent):
    """A vital-sign reading was in the caution or critical range (`level` is its highest)."""

    level: AlertLevel
    readings: tuple[str, ...]  # e.g. "systolic 182", one per parameter out of range

    @property
    def critical(self) -> bool:
        return self.level is AlertLevel.CRITICAL


@dataclass(frozen=True, slots=True)
class AlertResolved(SessionEvent):
    """The session's vital-sign alerts cleared (enough readings in a row inside the limits)."""


@dataclass(frozen=True, slots=True)
class AlertAcknowledged(SessionEvent):
    """A physician acknowledged the active alerts: paging stops, the alerts stay active."""


@dataclass(frozen=True, slots=True)
class PhysicianCalled(SessionEvent):
    """Someone at the bedside pressed the escalation: the physician is needed now."""

    note: str


@dataclass(frozen=True, slots=True)
class DoseGiven(SessionEvent):
    """A dose counts as given (an allowed request, or an override of a refused one)."""

    dose: str  # "initial" or "supplemental"
    mg: float


@dataclass(frozen=True, slots=True)
class SessionDischarged(SessionEvent):
    """An allowed discharge closed the session."""


@dataclass(frozen=True, slots=True)
class SafetyAlertOpened(DomainEvent):
    """A score raised a safety alert (PHQ-9 item 9, C-SSRS risk), open until acknowledged."""

    safety_alert_id: int
    patient_id: int
    level: str
    code: str


@dataclass(frozen=True, slots=True)
class SafetyAlertAcknowledged(DomainEvent):
    """A physician acknowledged a safety alert with the action taken."""

    safety_alert_id: int
    patient_id: int


@dataclass(frozen=True, slots=True)
class ScreeningSigned(DomainEvent):
    """A physician signed a screening's verdict, as computed or overridden."""

    screening_id: int
    patient_id: int
    decision: str
    overridden: bool
