"""The facts about a session that the gates read: who the patient is, the pre-dose checklist,
the doses given and the latest vitals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from mdma_at.domain.vitals.readings import VitalSigns
from mdma_at.domain.vocabulary import CssrsRisk, MedicationUse, PregnancyTest, Sex


@dataclass(frozen=True, slots=True)
class PatientAtSession:
    """The patient as the session needs them. Weight is kept for the record and the PK view;
    no dose rule uses it (MDMA-AT doses are fixed, not per kg)."""

    sex: Sex
    weight_kg: float | None
    childbearing_potential: bool


@dataclass(frozen=True, slots=True)
class PreDoseChecklist:
    """The pre-dose checklist as recorded before the initial dose.

    A missing entry is recorded as not done (False, 0 h, 0 providers, no C-SSRS, no test): the
    gate then refuses and names it, rather than assuming it was done.
    """

    consent_current: bool = False
    eligibility_signed: bool = False
    washout_complete: bool = False
    fasting_hours: float = 0.0
    cssrs_risk: CssrsRisk | None = None
    providers_present: int = 0
    pregnancy_test: PregnancyTest = PregnancyTest.NOT_DONE
    pregnancy_test_on: date | None = None  # when recorded: must be the session day
    safety_alert_open: bool = False  # an unacknowledged safety alert from the instruments
    #: Medications started, restarted or changed since the last session, with their last dose.
    medications_changed: tuple[MedicationUse, ...] = ()


@dataclass(frozen=True, slots=True)
class TimedValue:
    """A single measurement (temperature, SUDS) and the time it was taken."""

    t: datetime
    value: float


@dataclass(frozen=True, slots=True)
class TimedRisk:
    """A C-SSRS screener result and the time it was taken."""

    t: datetime
    risk: CssrsRisk


@dataclass(frozen=True, slots=True)
class GatingAdverseEvent:
    """A serious or special-interest adverse event: the AE gate reads these (issue 9, item 5)."""

    t: datetime
    term: str
    why: str  # "serious", "of special interest" or both


@dataclass(frozen=True, slots=True)
class TimedVitals:
    """A reading and the time it was taken."""

    t: datetime
    reading: VitalSigns


@dataclass(frozen=True, slots=True)
class GivenDose:
    """A dose that counts as given (an allowed request, at its time)."""

    t: datetime
    mg: float


def clock(delta: timedelta) -> str:
    """A duration as the clinic reads it on the session clock: ``h:mm:ss`` (negative with ``-``)."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def fmt_mg(mg: float) -> str:
    return f"{mg:g} mg"


def stamp(t: datetime) -> str:
    """A time as ISO-8601 in UTC with ``Z``, as every message and output shows it."""
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")
