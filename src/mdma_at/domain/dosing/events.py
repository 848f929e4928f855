"""What happens in a dosing session, as events the engine folds over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.dosing.decisions import Action
from mdma_at.domain.dosing.discharge import DischargePlan
from mdma_at.domain.vitals.readings import VitalSigns

PHYSICIAN = "physician"


@dataclass(frozen=True, slots=True)
class VitalsTaken:
    t: datetime
    reading: VitalSigns


@dataclass(frozen=True, slots=True)
class DoseRequested:
    """A request for the initial or the supplemental dose of `mg` mg (MDMA HCl)."""

    t: datetime
    action: Action
    mg: float

    def __post_init__(self) -> None:
        if self.action is Action.DISCHARGE:
            raise ValueError("a dose request is for the initial or the supplemental dose")


@dataclass(frozen=True, slots=True)
class DischargeRequested:
    t: datetime
    plan: DischargePlan


@dataclass(frozen=True, slots=True)
class OverrideGiven:
    """An override for the next request of `action`; it counts only when `by_role` is physician."""

    t: datetime
    action: Action
    by_role: str
    reason: str


@dataclass(frozen=True, slots=True)
class AlertsAcknowledged:
    """An acknowledgement of the active alerts; it clears them only when by a physician."""

    t: datetime
    by_role: str


@dataclass(frozen=True, slots=True)
class AdverseEventNoted:
    """An adverse event as charted; recorded, but no dose rule reads it."""

    t: datetime
    term: str
    severity: str | None = None
    serious: bool | None = None
    related: str | None = None


Event = (
    VitalsTaken
    | DoseRequested
    | DischargeRequested
    | OverrideGiven
    | AlertsAcknowledged
    | AdverseEventNoted
)
