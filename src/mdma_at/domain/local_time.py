"""Times as a site's people read and type them: in the site's IANA time zone; stored in UTC.

Pure (zoneinfo is the standard library's); the zone is passed in, never read from the machine.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from mdma_at.domain.errors import InvalidInput


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_problem(name: str) -> str | None:
    """Why `name` is not an IANA time zone name (e.g. Europe/London), or None when it is."""
    known = _known()
    if known and name not in known:
        return f"{name!r} is not an IANA time zone name (such as Europe/London or America/New_York)"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not an IANA time zone name (such as Europe/London or America/New_York)"
    return None


def site_zone(name: str, field: str = "tz") -> ZoneInfo:
    """The zone named `name`; InvalidInput naming `field` when it is not an IANA name."""
    problem = zone_problem(name)
    if problem:
        raise InvalidInput(field, problem)
    return ZoneInfo(name)


def read_local(typed: datetime, zone: ZoneInfo) -> datetime:
    """A time typed without an offset is the site's wall-clock time; one with an offset keeps it.
    Ambiguous wall times (the hour repeated when clocks go back) read as the first of the two."""
    return typed if typed.tzinfo is not None else typed.replace(tzinfo=zone, fold=0)


def local_time(t: datetime, zone: ZoneInfo, pattern: str = "%d %b %Y %H:%M") -> str:
    """A stored (UTC) time as the site reads it: no seconds' fractions, no ISO 'T' or offset."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(zone).strftime(pattern)


def zone_label(t: datetime, zone: ZoneInfo) -> str:
    """The zone as shown once per page: its name and its abbreviation at `t` (e.g. EST)."""
    return f"{zone.key} ({t.astimezone(zone).tzname()})"
