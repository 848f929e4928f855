"""Vital signs during a dosing session: readings, plausibility, alert levels and the schedule.

Pure functions of values; thresholds and intervals come in as protocol data
(`mdma_at.protocols.mapp_v1.dosing`), never as constants here.
"""

from mdma_at.domain.vitals.alerts import ActiveAlert, AlertState
from mdma_at.domain.vitals.classification import (
    AlertThresholds,
    Direction,
    Threshold,
    VitalAlert,
    classify,
    is_below_caution,
)
from mdma_at.domain.vitals.plausibility import PHYSIOLOGICAL_LIMITS, PlausibilityLimits, validate
from mdma_at.domain.vitals.readings import Parameter, VitalSigns
from mdma_at.domain.vitals.schedule import DueReason, MeasurementSchedule, VitalsDue, next_due

__all__ = [
    "PHYSIOLOGICAL_LIMITS",
    "ActiveAlert",
    "AlertState",
    "AlertThresholds",
    "Direction",
    "DueReason",
    "MeasurementSchedule",
    "Parameter",
    "PlausibilityLimits",
    "Threshold",
    "VitalAlert",
    "VitalSigns",
    "VitalsDue",
    "classify",
    "is_below_caution",
    "next_due",
    "validate",
]
