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
    no_active_alert: Source


@dataclass(frozen=True, slots=True)
class SupplementalRules:
    """The supplemental (half) dose.

    Args:
        window_start / window_end: after the initial dose, both ends allowed
            (``start <= elapsed <= end``).
        max_fraction_of_initial: the amount may be at most this fraction of the initial dose
            (``mg <= fraction × initial``).
        vitals_fresh_for: the latest vitals must be at most this old (``age <= fresh_for``).
        refuse_on_alert: refused while a caution or critical alert is active.
    """

    window_start: Sourced[timedelta]
    window_end: Sourced[timedelta]
    max_fraction_of_initial: Sourced[float]
    vitals_fresh_for: Sourced[timedelta]
    refuse_on_alert: Source


@dataclass(frozen=True, slots=True)
class DischargeRules:
    """Discharge: at least `min_after_initial` after the initial dose (``>=``), latest vitals
    below caution, no active critical alert, physician sign-off, adult escort or overnight stay.
    """

    min_after_initial: Sourced[timedelta]
    vitals_below_caution: Source
    no_critical_alert: Source
    physician_signoff: Source
    escort_or_overnight: Source


@dataclass(frozen=True, slots=True)
class DosingRules:
    """Everything the dosing-session engine needs from a protocol.

    Args:
        initial_mg: the initial dose in mg per session number (1-based).
        initial_source: where the doses come from.
        one_initial / one_supplemental: one of each per session.
        session_cap_mg: initial + supplemental must be ``<=`` this many mg.
        thresholds: in-session vital-sign alert thresholds.
        schedule: measurement intervals.
        readings_to_clear: consecutive readings below caution that clear an alert.
        plausibility: ranges outside which a reading is bad input.
    """

    initial_mg: dict[int, float]
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
    plausibility: PlausibilityLimits = PHYSIOLOGICAL_LIMITS

    def initial_dose_for(self, session_number: int, field: str = "session_number") -> float:
        """The protocol's initial dose in mg for a session, or `InvalidInput` outside the
        protocol's sessions."""
        try:
            return self.initial_mg[session_number]
        except KeyError:
            sessions = sorted(self.initial_mg)
            raise InvalidInput(
                field,
                f"{session_number} is outside the protocol's sessions {sessions[0]}–{sessions[-1]}",
            ) from None
