"""The dose, gate and discharge rules of a protocol, as one value (filled in by `protocols/`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.sources import Source
from mdma_at.domain.vitals.classification import AlertThresholds
from mdma_at.domain.vitals.plausibility import PHYSIOLOGICAL_LIMITS, PlausibilityLimits
from mdma_at.domain.vitals.schedule import MeasurementSchedule
from mdma_at.domain.washout.table import MedicationTable, normalise_name

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    """A rule value with the source it comes from."""

    value: T
    source: Source


@dataclass(frozen=True, slots=True)
class BloodPressureGate:
    """Pre-dose blood-pressure gate for the initial dose (all comparisons ``>=``, in mmHg).

    A reading with systolic ≥ `approval_systolic` or diastolic ≥ `approval_diastolic` needs a
    physician override; systolic ≥ `refuse_systolic` or diastolic ≥ `refuse_diastolic` is
    refused whatever the override.
    """

    approval_systolic: float
    approval_diastolic: float
    refuse_systolic: float
    refuse_diastolic: float
    source: Source


@dataclass(frozen=True, slots=True)
class BloodPressureLimit:
    """Systolic and diastolic must both be strictly below these (mmHg)."""

    systolic: float
    diastolic: float
    source: Source

    def reached_by(self, systolic: float, diastolic: float) -> bool:
        return systolic >= self.systolic or diastolic >= self.diastolic


@dataclass(frozen=True, slots=True)
class DistressScale:
    """The scale of the distress rating (SUDS) and its source; values outside are bad input."""

    name: str
    low: float
    high: float
    source: Source


@dataclass(frozen=True, slots=True)
class AdverseEventRules:
    """Which adverse events gate the doses: serious ones, and those of special interest (flagged,
    or whose term contains one of `special_interest_terms`, case and punctuation ignored)."""

    special_interest_terms: tuple[str, ...]
    source: Source

    def is_special_interest(self, term: str) -> bool:
        words = f" {_words(term)} "
        return any(f" {_words(listed)} " in words for listed in self.special_interest_terms)


def _words(text: str) -> str:
    """Lower case, hyphens and punctuation as spaces: 'Self-harm' and 'self harm' match."""
    cleaned = "".join(c if c.isalnum() else " " for c in normalise_name(text))
    return " ".join(cleaned.split())


@dataclass(frozen=True, slots=True)
class PreDoseRules:
    """What must hold before the initial dose besides the blood-pressure gate."""

    fasting_hours: Sourced[float]  # fasted for at least this many hours (``>=``)
    providers_present: Sourced[int]  # at least this many providers on site (``>=``)
    consent: Source
    eligibility: Source
    washout: Source
    cssrs: Source  # C-SSRS risk today must not be high
    pregnancy_test: Source  # negative when of childbearing potential
    bp_gate: BloodPressureGate
    vitals_fresh_for: Sourced[timedelta]  # the latest pre-dose reading at most this old (``<=``)
    no_active_alert: Source  # caution: a physician override lifts it; critical: never
    safety_alert: Source  # an unacknowledged instrument safety alert refuses (never lifted)
    adverse_event_review: Source  # a serious / special-interest AE today needs an override
    medication_check: Source  # medications changed since the last session, washout table


@dataclass(frozen=True, slots=True)
class SupplementalRules:
    """The supplemental (half) dose.

    Args:
        window_start / window_end: after the initial dose, both ends allowed
            (``start <= elapsed <= end``).
        max_fraction_of_initial: the amount may be at most this fraction of the initial dose
            (``mg <= fraction × initial``).
        vitals_fresh_for: the latest vitals must be at most this old (``age <= fresh_for``).
        temperature_fresh_for: a temperature taken at most this long ago (``<=``).
        refuse_on_alert: refused while a caution alert is active (override lifts it) or a
            critical one is (never lifted).
        bp_below: the latest systolic and diastolic must be strictly below these, or a
            physician overrides.
        adverse_event_hold: a serious or special-interest AE after the initial dose refuses it,
            override or not.
    """

    window_start: Sourced[timedelta]
    window_end: Sourced[timedelta]
    max_fraction_of_initial: Sourced[float]
    vitals_fresh_for: Sourced[timedelta]
    temperature_fresh_for: Sourced[timedelta]
    refuse_on_alert: Source
    bp_below: BloodPressureLimit
    adverse_event_hold: Source


@dataclass(frozen=True, slots=True)
class DischargeRules:
    """Discharge proves recovery (issue 9, item 4). Every "within N" is inclusive (``<=``).

    Args:
        min_after_initial: at least this long after the initial dose (``>=``).
        vitals_fresh_for: the latest reading at most this old.
        temperature_fresh_for: a temperature at most this old.
        vitals_in_range: every parameter of the latest reading inside both caution limits.
        no_active_alert: no active alert (caution: override lifts it; critical: never).
        near_baseline: systolic and heart rate at most this much above the pre-dose baseline
            reading (``latest - baseline <= value``); an override lifts it.
        distress_fresh_for: a SUDS rating at most this old, not above the pre-dose one.
        distress_not_above_baseline: the source of that rule (override lifts it).
        cssrs_fresh_for: a C-SSRS screener at most this old (after the initial dose).
        cssrs: high refuses, moderate needs an override.
        adverse_event_review: a serious / special-interest AE after the initial dose needs an
            override.
    """

    min_after_initial: Sourced[timedelta]
    vitals_fresh_for: Sourced[timedelta]
    temperature_fresh_for: Sourced[timedelta]
    vitals_in_range: Source
    no_active_alert: Source
    near_baseline: Sourced[float]
    distress_fresh_for: Sourced[timedelta]
    distress_not_above_baseline: Source
    cssrs_fresh_for: Sourced[timedelta]
    cssrs: Source
    adverse_event_review: Source
    physician_signoff: Source
    escort_or_overnight: Source


@dataclass(frozen=True, slots=True)
class DosingRules:
    """Everything the dosing-session engine needs from a protocol.

    Args:
        initial_mg: the allowed initial doses in mg per session number (1-based); the first is
            the one the console offers first.
        initial_source: where the doses come from.
        one_initial / one_supplemental: one of each per session.
        session_cap_mg: initial + supplemental must be ``<=`` this many mg.
        thresholds: in-session vital-sign alert thresholds.
        schedule: measurement intervals.
        readings_to_clear: consecutive readings below caution that clear an alert.
        distress: the SUDS scale (a rating outside it is bad input).
        adverse_events: which AEs gate the doses.
        medications: the washout table the per-session medication check reads.
        plausibility: ranges outside which a reading is bad input.
    """

    initial_mg: dict[int, tuple[float, ...]]
    initial_source: Source
    one_initial: Source
    one_supplemental: Source
    session_cap_mg: Sourced[float]
    pre_dose: PreDoseRules
    supplemental: SupplementalRules
    discharge: DischargeRules
    thresholds: AlertThresholds
    schedule: MeasurementSchedule
    readings_to_clear: Sourced[int]
    distress: DistressScale
    adverse_events: AdverseEventRules
    medications: MedicationTable
    plausibility: PlausibilityLimits = PHYSIOLOGICAL_LIMITS

    def initial_dose_for(self, session_number: int, field: str = "session_number") -> float:
        """The first of the protocol's initial doses for a session (what the console offers
        first), or `InvalidInput` outside the protocol's sessions."""
        return self.initial_doses_for(session_number, field)[0]

    def initial_doses_for(
        self, session_number: int, field: str = "session_number"
    ) -> tuple[float, ...]:
        """The protocol's allowed initial doses in mg for a session, or `InvalidInput` outside
        the protocol's sessions."""
        try:
            return self.initial_mg[session_number]
        except KeyError:
            sessions = sorted(self.initial_mg)
            raise InvalidInput(
                field,
                f"{session_number} is outside the protocol's sessions {sessions[0]}–{sessions[-1]}",
            ) from None
