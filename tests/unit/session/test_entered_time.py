"""A time typed in a datetime-local field is the site's wall-clock time (issue 13, item 2)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from mdma_at.entrypoints.web.sessions.pages import entered_time

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("local", "zone", "expected"),
    [
        # Eastern Standard Time is UTC−05:00 from the first Sunday of November (tz database,
        # America/New_York; US Energy Policy Act of 2005 §110).
        ("2026-12-03T03:22", NEW_YORK, "2026-12-03T03:22:00-05:00"),
        # ... and Eastern Daylight Time UTC−04:00 until then.
        ("2026-09-30T10:00:30", NEW_YORK, "2026-09-30T10:00:30-04:00"),
        # British Summer Time (UTC+01:00) ends on the last Sunday of October (tz database).
        ("2026-09-30T10:00", LONDON, "2026-09-30T10:00:00+01:00"),
        ("2026-12-03T10:00", LONDON, "2026-12-03T10:00:00+00:00"),
        ("2026-09-30T10:00Z", NEW_YORK, "2026-09-30T10:00:00+00:00"),  # an explicit offset wins
        ("", NEW_YORK, ""),  # blank means now
        ("yesterday", NEW_YORK, "yesterday"),  # passed on for the service to refuse by name
    ],
)
def test_a_typed_time_is_read_in_the_sites_zone(local: str, zone: ZoneInfo, expected: str) -> None:
    assert entered_time(local, zone) == expected
