"""Alert level of one reading: each parameter against its caution and critical limits, on the
high side and, where the protocol sets them, on the low side."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from mdma_at.domain.sources import Source
from mdma_at.domain.vitals.readings import Parameter, VitalSigns
from mdma_at.domain.vocabulary import AlertLevel


class Direction(StrEnum):
    """Which side of the normal range a limit guards."""

    HIGH = "high"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class Threshold:
    """A limit. For a HIGH limit, `inclusive` True means it is reached at ``value >= limit`` and
    False at ``value > limit``; for a LOW limit, ``value <= limit`` and ``value < limit``.
    """

    limit: float
    inclusive: bool
    source: Source
    direction: Direction = Direction.HIGH

    def reached_by(self, value: float) -> bool:
        """Whether `value` is in the range this threshold opens."""
        if self.direction is Direction.LOW:
            return value <= self.limit if self.inclusive else value < self.limit
        return value >= self.limit if self.inclusive else value > self.limit

    def describe(self) -> str:
        if self.direction is Direction.LOW:
            return f"{'≤' if self.inclusive else '<'} {self.limit:g}"
        return f"{'≥' if self.inclusive else '>'} {self.limit:g}"


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """Caution and critical limits per parameter (DESIGN.md §4 'In-session alerts').

    Args:
        caution / critical: the high limits (systolic, diastolic, heart rate, temperature).
        low_caution / low_critical: the low limits (mapp_v1: systolic, heart rate, temperature,
            SpO2; NEWS2 bands). A parameter may have high limits, low limits or both, each side
            with both levels.
    """

    caution: dict[Parameter, Threshold]
    critical: dict[Parameter, Threshold]
    low_caution: dict[Parameter, Threshold] = field(default_factory=dict)
    low_critical: dict[Parameter, Threshold] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for side in (self.caution, self.critical):
            if any(t.direction is not Direction.HIGH for t in side.values()):
                raise ValueError("caution/critical hold the high limits")
        for side in (self.low_caution, self.low_critical):
            if any(t.direction is not Direction.LOW for t in side.values()):
                raise ValueError("low_caution/low_critical hold the low limits")
        if set(self.caution) != set(self.critical):
            raise ValueError("every high limit needs a caution and a critical level")
        if set(self.low_caution) != set(self.low_critical):
            raise ValueError("every low limit needs a caution and a critical level")
        for parameter in Parameter:
            if parameter not in self.caution and parameter not in self.low_caution:
                raise ValueError(f"thresholds for {parameter} are missing")
        for parameter, critical in self.critical.items():
            if critical.limit < self.caution[parameter].limit:
                raise ValueError(f"critical high {parameter} limit is below the caution limit")
        for parameter, critical in self.low_critical.items():
            if critical.limit > self.low_caution[parameter].limit:
                raise ValueError(f"critical low {parameter} limit is above the caution limit")

    def levels_for(self, parameter: Parameter) -> tuple[tuple[AlertLevel, Threshold], ...]:
        """The limits of `parameter`, critical first (the highest level reached wins)."""
        out: list[tuple[AlertLevel, Threshold]] = []
        for level, high, low in (
            (AlertLevel.CRITICAL, self.critical, self.low_critical),
            (AlertLevel.CAUTION, self.caution, self.low_caution),
        ):
            for side in (high, low):
                if parameter in side:
                    out.append((level, side[parameter]))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class VitalAlert:
    """One parameter of one reading in the caution or critical range, at its highest level."""

    parameter: Parameter
    level: AlertLevel
    value: float
    threshold: Threshold

    @property
    def direction(self) -> Direction:
        return self.threshold.direction


def classify(reading: VitalSigns, thresholds: AlertThresholds) -> tuple[VitalAlert, ...]:
    """The alerts of one reading: at most one per parameter, at its highest level.

    Directions (mapp_v1): high caution SBP > 160, DBP > 100, HR > 120 (strict), T ≥ 38.0 °C;
    high critical SBP ≥ 180, DBP ≥ 120, HR ≥ 140, T ≥ 39.0 °C; low caution SBP < 90, HR < 50,
    T < 35.5 °C, SpO2 < 94 %; low critical SBP < 80, HR < 40, T ≤ 35.0 °C, SpO2 < 90 %. Each
    `Threshold` carries its own direction and inclusiveness, so a protocol can change them.
    A parameter not measured in this reading (temperature, SpO2) raises nothing.

    Returns:
        Alerts in parameter order (systolic, diastolic, heart rate, temperature, SpO2); empty
        when every measured parameter is inside both caution limits.
    """
    alerts: list[VitalAlert] = []
    for parameter in Parameter:
        value = reading.value(parameter)
        if value is None:
            continue
        for level, threshold in thresholds.levels_for(parameter):
            if threshold.reached_by(value):
                alerts.append(VitalAlert(parameter, level, value, threshold))
                break
    return tuple(alerts)


def is_below_caution(reading: VitalSigns, thresholds: AlertThresholds) -> bool:
    """True when no measured parameter is in a caution or critical range, high or low: every
    parameter inside both caution limits (under mapp_v1 90 ≤ SBP ≤ 160, DBP ≤ 100,
    50 ≤ HR ≤ 120, 35.5 ≤ T < 38.0 °C, SpO2 ≥ 94 %)."""
    return not classify(reading, thresholds)
