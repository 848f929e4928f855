"""A time typed in the browser's datetime-local field becomes ISO-8601 with the browser's offset."""

from __future__ import annotations

import pytest

from mdma_at.entrypoints.web.session_pages import entered_time


@pytest.mark.parametrize(
    ("local", "tz", "expected"),
    [
        ("2026-09-30T10:00", "-120", "2026-09-30T10:00:00+02:00"),  # UTC+2: 120 min ahead
        ("2026-09-30T10:00:30", "300", "2026-09-30T10:00:30-05:00"),
        ("2026-09-30T10:00", "", "2026-09-30T10:00:00+00:00"),  # no offset sent: UTC
        ("2026-09-30T10:00Z", "-60", "2026-09-30T10:00:00+00:00"),  # an explicit offset wins
        ("", "-60", ""),  # blank means now
        ("yesterday", "0", "yesterday"),  # passed on for the service to refuse by name
    ],
)
def test_a_browser_time_gets_the_browsers_offset(local: str, tz: str, expected: str) -> None:
    assert entered_time(local, tz) == expected
