"""A report's period and the clocks of an expedited safety report (issue 17, item 4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.reports import expedited_clocks, period
from mdma_at.protocols.mapp_v1.reporting import EXPEDITED

AWARE = date(2026, 11, 22)


def test_a_period_may_be_one_day_and_holds_both_ends() -> None:
    one = period(AWARE, AWARE)
    assert one.holds(AWARE)
    assert not one.holds(AWARE - timedelta(days=1)) and not one.holds(AWARE + timedelta(days=1))


def test_a_period_ending_the_day_before_it_starts_is_refused_naming_to() -> None:
    with pytest.raises(InvalidInput) as refused:
        period(AWARE, AWARE - timedelta(days=1))
    assert refused.value.field == "to"


@pytest.mark.parametrize(
    ("today", "short_left", "long_left"),
    [
        (AWARE, 7, 15),  # the day of awareness
        (date(2026, 11, 28), 1, 9),  # the day before the 7-day due day
        (date(2026, 11, 29), 0, 8),  # the 7-day due day: due today, not overdue
        (date(2026, 11, 30), -1, 7),  # the day after: overdue by one
        (date(2026, 12, 7), -8, 0),  # the 15-day due day
        (date(2026, 12, 8), -9, -1),
    ],
)
def test_the_clocks_count_calendar_days_from_awareness(
    today: date, short_left: int, long_left: int
) -> None:
    # TGA AP scheme, sponsors [S61]: 7 days fatal or life-threatening, 15 days other serious
    short, long = expedited_clocks(EXPEDITED, AWARE, today, fatal=False)
    assert (short.due, long.due) == (date(2026, 11, 29), date(2026, 12, 7))
    assert (short.days_left, long.days_left) == (short_left, long_left)
    assert (short.overdue, long.overdue) == (short_left < 0, long_left < 0)


def test_the_short_clock_applies_for_certain_to_a_fatal_event() -> None:
    short, long = expedited_clocks(EXPEDITED, AWARE, AWARE, fatal=True)
    assert short.applies and long.applies
    short, _ = expedited_clocks(EXPEDITED, AWARE, AWARE, fatal=False)
    assert not short.applies
