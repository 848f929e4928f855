"""When the next set of vital signs is due, from the state of the session.

mapp_v1 (site default, DESIGN.md §4): every 30 min up to 6 h after the initial dose, then hourly;
every 10 min while a caution alert is active; every 5 min while a critical alert is active, with
the physician paged until they acknowledge it. The interval is chosen at the time of the reading
it follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from mdma_at.domain.sources import Source
from mdma_at.domain.vocabulary import AlertLevel


class DueReason(StrEnum):
    """Why the next reading is due when it is."""

    ROUTINE = "routine"  # every 30 min, before the initial dose and up to 6 h after it
    ROUTINE_LATE = "routine_late"  # hourly, from 6 h after the initial dose
    CAUTION_ALERT = "caution_alert"
    CRITICAL_ALERT = "critical_alert"


@dataclass(frozen=True, slots=True)
class MeasurementSchedule:
    """Measurement intervals.

    Args:
        routine: interval before the initial dose and while ``reading - initial dose < late_after``.
        late_after: time after the initial dose from which `late` applies (reading ``>=`` it).
        late: interval from then on.
        caution: interval while the highest active alert is caution.
        critical: interval while a critical alert is active (and the physician is paged).
    """

    routine: timedelta
    late_after: timedelta
    late: timedelta
    caution: timedelta
    critical: timedelta
    source: Source


@dataclass(frozen=True, slots=True)
class VitalsDue:
    """The next measurement: after the reading at `after`, due at `due`, for `reason`."""

    after: datetime
    due: datetime
    reason: DueReason
    page_physician: bool


def next_due(
    after: datetime,
    initial_dose_at: datetime | None,
    alert_level: AlertLevel | None,
    schedule: MeasurementSchedule,
    paging: bool = True,
) -> VitalsDue:
    """The next measurement after a reading taken at `after`.

    Args:
        after: time of the latest reading.
        initial_dose_at: time of the initial dose, None before it is given.
        alert_level: the highest active alert level after that reading, None when none.
        schedule: the protocol's intervals.
        paging: False once a physician has acknowledged the critical alert (issue 9, item 1):
            the readings stay every 5 min while it is active, without paging, until a new
            critical reading.
    """
    if alert_level is AlertLevel.CRITICAL:
        return VitalsDue(after, after + schedule.critical, DueReason.CRITICAL_ALERT, paging)
    if alert_level is AlertLevel.CAUTION:
        return VitalsDue(after, after + schedule.caution, DueReason.CAUTION_ALERT, False)
    if initial_dose_at is not None and after - initial_dose_at >= schedule.late_after:
        return VitalsDue(after, after + schedule.late, DueReason.ROUTINE_LATE, False)
    return VitalsDue(after, after + schedule.routine, DueReason.ROUTINE, False)
