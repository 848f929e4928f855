"""The simulated cohort's birth dates (issue 19, item 5): a candidate is of age at screening by
the calendar, as the eligibility rule counts it. The 1,040-participant demo once failed at a
candidate drawn at 18.0 years who was a day short of 18 (screened 2028-08-25, born 2010-08-26)."""

from __future__ import annotations

from datetime import date, timedelta

from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol
from mdma_at.simulation.calibration import load
from mdma_at.simulation.cohort import birth_date, draw_cohort
from mdma_at.simulation.trial_run import START


def _age(born: date, on: date) -> int:
    """Whole years by the calendar: one more on each birthday."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_at_the_youngest_age_the_birth_date_is_that_birthday_by_the_calendar() -> None:
    # 2010-08-25 to 2028-08-25 holds five 29 Februaries (2012 ... 2028): 18 x 365 + 5 = 6,575
    # days, one more than 18 mean years (int(18 x 365.25) = 6,574)
    assert birth_date(date(2028, 8, 25), 18.0, 18) == date(2010, 8, 25)
    # 29 February: the 28th of a common year 18 years before (18 on 29 Feb 2028)
    assert birth_date(date(2028, 2, 29), 18.0, 18) == date(2010, 2, 28)


def test_above_the_youngest_age_the_age_is_counted_in_mean_years() -> None:
    # 39.1 years (MAPP2's mean age [S36]) x 365.25 days = 14,281.275 days, whole days 14,281
    assert birth_date(date(2028, 8, 25), 39.1, 18) == date(2028, 8, 25) - timedelta(days=14_281)


def test_every_candidate_of_a_long_trial_is_of_age_at_screening() -> None:
    # seed 1, 1,040 participants on 3 sites: `mdma-at demo`'s bench run, arrivals into 2033
    cohort = draw_cohort(1, 1040, 3, 1.0, load(), START)
    youngest = get_protocol(DEFAULT_PROTOCOL).eligibility.minimum_age_years.value  # 18 [S14]
    under_age = [c.number for c in cohort if _age(c.born, c.arrives_on) < youngest]
    assert under_age == []
