"""The clinic's shared words: one type for each concept that screening, patients, dosing sessions
and instruments all speak of (issue 12, item 1).

A concept that only one part of the clinic uses lives with that part (the substance use disorder
severity with the intake, the adverse-event vocabulary with `domain.adverse_events`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Sex(StrEnum):
    """Sex recorded for clinical rules (QTc limits, pregnancy); `other` gets the stricter limits."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class PregnancyTest(StrEnum):
    """A pregnancy test's result, or that none was done."""

    NEGATIVE = "negative"
    POSITIVE = "positive"
    NOT_DONE = "not_done"


class CssrsRisk(StrEnum):
    """Suicide risk as the C-SSRS grades it: at screening and on the day of a session."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class AlertLevel(StrEnum):
    """How urgently a physician must look: the same two words for a vital sign and for an
    instrument's answer."""

    CAUTION = "caution"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Caution 1, critical 2: the higher level wins."""
        return 1 if self is AlertLevel.CAUTION else 2


@dataclass(frozen=True, slots=True)
class MedicationUse:
    """A medication and the date of its last dose, its name as written (generic or brand): a
    recent medication at screening, one started or changed before a session. The washout rules
    read both."""

    name: str
    last_dose: date
