"""One set of vital signs as charted at the bedside."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Parameter(StrEnum):
    """The parameters of a reading (names as in the replay contract).

    Blood pressure and heart rate are charted at every measurement; temperature and SpO2 are
    optional in a single reading (issue 9, item 3).
    """

    SYSTOLIC = "systolic"
    DIASTOLIC = "diastolic"
    HEART_RATE = "heart_rate"
    TEMPERATURE = "temperature"
    SPO2 = "spo2"


@dataclass(frozen=True, slots=True)
class VitalSigns:
    """One reading.

    Args:
        systolic: systolic blood pressure, mmHg.
        diastolic: diastolic blood pressure, mmHg.
        heart_rate: beats per minute.
        temperature_c: body temperature, degrees Celsius; None when not taken with this reading.
        spo2: peripheral oxygen saturation, %; None when not taken with this reading.
    """

    systolic: float
    diastolic: float
    heart_rate: float
    temperature_c: float | None = None
    spo2: float | None = None

    def value(self, parameter: Parameter) -> float | None:
        """The reading's value for `parameter` in its unit (mmHg, beats/min, °C, %), or None
        when that parameter was not measured."""
        return {
            Parameter.SYSTOLIC: self.systolic,
            Parameter.DIASTOLIC: self.diastolic,
            Parameter.HEART_RATE: self.heart_rate,
            Parameter.TEMPERATURE: self.temperature_c,
            Parameter.SPO2: self.spo2,
        }[parameter]
