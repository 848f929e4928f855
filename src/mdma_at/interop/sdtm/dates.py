"""SDTM dates and study days (SDTMIG 3.3 §4.4).

Dates and times are ISO 8601 (§4.4.1). The clinic stores instants in UTC; a tabulation gives the
clock time at the site, as the case report form would, without an offset (§4.4.2 allows either).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def dtc(moment: datetime | date | None, timezone: str = "UTC") -> str:
    """``YYYY-MM-DDThh:mm`` at the site (a datetime), ``YYYY-MM-DD`` (a date), "" (unknown)."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")
    return moment.isoformat()


def local_day(moment: datetime | date, timezone: str = "UTC") -> date:
    if isinstance(moment, datetime):
        return moment.astimezone(ZoneInfo(timezone)).date()
    return moment


def study_day(day: date, reference: date) -> int:
    """--DY (SDTMIG 3.3 §4.4.4): the reference start date is day 1, the day before it day -1;
    there is no day 0."""
    offset = (day - reference).days
    return offset + 1 if offset >= 0 else offset
