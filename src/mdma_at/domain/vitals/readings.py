"""One set of vital signs as charted at the bedside."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Parameter(StrEnum):
    """The four parameters charted at every measurement (names as in the replay contract)."""

    SYSTOLIC = "systolic"
    DIASTOLIC = "diastolic"
    HEART_RATE = "heart_rate"
    TEMPERATURE = "temperature"


@dataclass(frozen=True, slots=True)
class VitalSigns:
    """One reading.

    Args:
        systolic: systolic blood pressure, mmHg.
        diastolic: diastolic blood pressure, mmHg.
        heart_rate: beats per minute.
        temperature_c: body temperature, degrees Celsius.
    """

    systolic: float
    diastolic: float
    heart_rate: float
    temperature_c: float

    def value(self, parameter: Parameter) -> float:
        """The reading's value for `parameter` in its unit (mmHg, beats/min, °C)."""
        return {
            Parameter.SYSTOLIC: self.systolic,
            Parameter.DIASTOLIC: self.diastolic,
            Parameter.HEART_RATE: self.heart_rate,
            Parameter.TEMPERATURE: self.temperature_c,
        }[parameter]
