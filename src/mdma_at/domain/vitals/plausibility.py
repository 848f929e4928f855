"""Physical plausibility of a reading: what can never be a living patient's value.

This is input validation, not a clinical rule: an implausible value is a typing or device error,
so it is refused as bad input (`InvalidInput`) and nothing is stored. A plausible but dangerous
value is a clinical finding and goes to `classification`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mdma_at.domain import plausibility as plausible
from mdma_at.domain.errors import InvalidInput, InvalidInputs
from mdma_at.domain.sources import Source
from mdma_at.domain.vitals.readings import VitalSigns


@dataclass(frozen=True, slots=True)
class PlausibilityLimits:
    """Inclusive plausible ranges (a value equal to a bound is accepted).

    Diastolic must also be strictly below systolic.
    """

    systolic: tuple[float, float]
    diastolic_min: float
    heart_rate: tuple[float, float]
    temperature_c: tuple[float, float]
    source: Source
    spo2: tuple[float, float] = plausible.SPO2_PERCENT


PHYSIOLOGICAL_LIMITS = PlausibilityLimits(
    systolic=plausible.SYSTOLIC_MMHG,
    diastolic_min=plausible.DIASTOLIC_MMHG[0],
    heart_rate=plausible.HEART_RATE_BPM,
    temperature_c=plausible.TEMPERATURE_C,
    source=plausible.SOURCE,
    spo2=plausible.SPO2_PERCENT,
)


def _number(value: object, field: str, unit: str) -> float:
    # bool is an int in Python; a checkbox value is never a measurement.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(field, f"{value!r} is not a number of {unit}")
    if not math.isfinite(value):
        raise InvalidInput(field, f"{value!r} is not a finite number of {unit}")
    return float(value)


def _within(value: float, bounds: tuple[float, float], field: str, unit: str) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise InvalidInput(field, f"{value:g} is outside {low:g}–{high:g} {unit}")


def validate(
    systolic: object,
    diastolic: object,
    heart_rate: object,
    temperature_c: object = None,
    limits: PlausibilityLimits = PHYSIOLOGICAL_LIMITS,
    field: str = "vitals",
    spo2: object = None,
) -> VitalSigns:
    """A `VitalSigns` from raw entries, or `InvalidInput` naming the impossible ones.

    The console calls this on every entry; the replay calls it on every vitals event.

    Args:
        systolic: mmHg; plausible when 50 ≤ value ≤ 300.
        diastolic: mmHg; plausible when value ≥ 20 and value < systolic.
        heart_rate: beats/min; plausible when 20 ≤ value ≤ 250.
        temperature_c: °C; plausible when 30 ≤ value ≤ 45; None when not taken.
        limits: the plausible ranges (the issue's defaults unless a site sets others).
        spo2: %; plausible when 50 ≤ value ≤ 100; None when not taken.
        field: prefix of the field names in errors (``vitals`` or ``events[3]``).

    Raises:
        InvalidInput: e.g. ``vitals.systolic: 400 is outside 50–300 mmHg``; `InvalidInputs`
            naming every wrong field when there are several.
    """
    problems: list[tuple[str, str]] = []

    def checked(value: object, name: str, unit: str, within: tuple[float, float] | None) -> float:
        try:
            number = _number(value, f"{field}.{name}", unit)
            if within is not None:
                _within(number, within, f"{field}.{name}", unit)
            return number
        except InvalidInput as wrong:
            problems.append((wrong.field, wrong.reason))
            return float("nan")

    # Every field is checked, so a form can mark all that are wrong at once (issue 13, item 6).
    sbp = checked(systolic, "systolic", "mmHg", limits.systolic)
    dbp = checked(diastolic, "diastolic", "mmHg", None)
    hr = checked(heart_rate, "heart_rate", "beats/min", limits.heart_rate)
    temp = (
        None
        if temperature_c is None
        else checked(temperature_c, "temperature_c", "°C", limits.temperature_c)
    )
    sat = None if spo2 is None else checked(spo2, "spo2", "%", limits.spo2)
    if not math.isnan(dbp) and dbp < limits.diastolic_min:  # (nan: already refused)
        problems.append((f"{field}.diastolic", f"{dbp:g} is below {limits.diastolic_min:g} mmHg"))
    elif not math.isnan(dbp) and not math.isnan(sbp) and dbp >= sbp:
        problems.append(
            (f"{field}.diastolic", f"{dbp:g} mmHg must be below the systolic {sbp:g} mmHg")
        )
    InvalidInputs.raise_all(problems)
    return VitalSigns(systolic=sbp, diastolic=dbp, heart_rate=hr, temperature_c=temp, spo2=sat)
