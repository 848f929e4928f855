"""Alert level of one reading: each parameter against its caution and critical thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mdma_at.domain.sources import Source
from mdma_at.domain.vitals.readings import Parameter, VitalSigns


class AlertLevel(StrEnum):
    CAUTION = "caution"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Caution 1, critical 2: the higher level wins."""
        return 1 if self is AlertLevel.CAUTION else 2


@dataclass(frozen=True, slots=True)
class Threshold:
    """An upper limit. `inclusive` True means the limit itself is reached at ``value >= limit``;
    False means only ``value > limit`` reaches it.
    """

    limit: float
    inclusive: bool
    source: Source

    def reached_by(self, value: float) -> bool:
        """Whether `value` is in the range this threshold opens (``>=`` or ``>``)."""
        return value >= self.limit if self.inclusive else value > self.limit

    def describe(self) -> str:
        return f"{'≥' if self.inclusive else '>'} {self.limit:g}"


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """Caution and critical thresholds per parameter (DESIGN.md §4 'In-session alerts')."""

    caution: dict[Parameter, Threshold]
    critical: dict[Parameter, Threshold]

    def __post_init__(self) -> None:
        for parameter in Parameter:
            if parameter not in self.caution or parameter not in self.critical:
                raise ValueError(f"thresholds for {parameter} are missing")
            if self.critical[parameter].limit < self.caution[parameter].limit:
                raise ValueError(f"critical {parameter} limit is below the caution limit")


@dataclass(frozen=True, slots=True)
class VitalAlert:
    """One parameter of one reading in the caution or critical range, at its highest level."""

    parameter: Parameter
    level: AlertLevel
    value: float
    threshold: Threshold


def classify(reading: VitalSigns, thresholds: AlertThresholds) -> tuple[VitalAlert, ...]:
    """The alerts of one reading: at most one per parameter, at its highest level.

    Directions (mapp_v1): caution SBP > 160, DBP > 100, HR > 120 (strict), T ≥ 38.0 °C;
    critical SBP ≥ 180, DBP ≥ 120, HR ≥ 140, T ≥ 39.0 °C (inclusive). Each `Threshold` carries
    its own direction, so a protocol can change them.

    Returns:
        Alerts in parameter order (systolic, diastolic, heart rate, temperature); empty when
        every parameter is below caution.
    """
    alerts: list[VitalAlert] = []
    for parameter in Parameter:
        value = reading.value(parameter)
        critical = thresholds.critical[parameter]
        caution = thresholds.caution[parameter]
        if critical.reached_by(value):
            alerts.append(VitalAlert(parameter, AlertLevel.CRITICAL, value, critical))
        elif caution.reached_by(value):
            alerts.append(VitalAlert(parameter, AlertLevel.CAUTION, value, caution))
    return tuple(alerts)


def is_below_caution(reading: VitalSigns, thresholds: AlertThresholds) -> bool:
    """True when no parameter is in the caution or the critical range.

    This is what 'every parameter below caution' means throughout: for SBP ≤ 160, DBP ≤ 100,
    HR ≤ 120 and T < 38.0 °C under mapp_v1 (each threshold's own direction, negated).
    """
    return not classify(reading, thresholds)
