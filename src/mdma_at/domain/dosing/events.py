"""What happens in a dosing session, as events the engine folds over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.dosing.decisions import Action
from mdma_at.domain.dosing.discharge import DischargePlan
from mdma_at.domain.vitals.readings import VitalSigns
from mdma_at.domain.vocabulary import CssrsRisk

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
    """An acknowledgement of the active alerts. By a physician it stops the paging until a new
    critical reading; it never clears an alert (issue 9, item 1)."""

    t: datetime
    by_role: str


@dataclass(frozen=True, slots=True)
class AdverseEventNoted:
    """An adverse event as charted. A serious one, or one of special interest (flagged, or its
    term in the protocol's list), gates the doses and discharge (issue 9, item 5)."""

    t: datetime
    term: str
    severity: str | None = None
    serious: bool | None = None
    related: str | None = None
    special_interest: bool | None = None


@dataclass(frozen=True, slots=True)
class DistressRated:
    """A distress rating on the protocol's scale (SUDS)."""

    t: datetime
    value: float


@dataclass(frozen=True, slots=True)
class CssrsScreened:
    """A C-SSRS screener's risk level."""

    t: datetime
    risk: CssrsRisk


Event = (
    VitalsTaken
    | DoseRequested
    | DischargeRequested
    | OverrideGiven
    | AlertsAcknowledged
    | AdverseEventNoted
    | DistressRated
    | CssrsScreened
)
