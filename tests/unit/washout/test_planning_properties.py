"""Properties of the washout arithmetic over any half-life and last dose (hypothesis)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from mdma_at.domain.washout import WashoutKind, washout_days
from mdma_at.protocols.mapp_v1.medications import WASHOUT_RULE

half_lives = st.decimals(min_value="0.1", max_value="2000", places=1).map(float)


@given(half_lives)
def test_the_washout_is_the_smallest_whole_day_count_covering_five_half_lives_and_a_week(
    hours: float,
) -> None:
    days = washout_days(hours, WashoutKind.HALF_LIVES, WASHOUT_RULE)
    exact = Fraction(str(hours)) * 5 / 24 + 7
    assert days >= exact > days - 1
    assert days == math.ceil(exact)


@given(half_lives)
def test_an_irreversible_maoi_never_clears_in_less_than_14_days(hours: float) -> None:
    maoi = washout_days(hours, WashoutKind.IRREVERSIBLE_MAOI, WASHOUT_RULE)
    plain = washout_days(hours, WashoutKind.HALF_LIVES, WASHOUT_RULE)
    assert maoi == max(plain, 14)


@given(half_lives, half_lives)
def test_a_longer_half_life_never_gives_a_shorter_washout(a: float, b: float) -> None:
    short, long = sorted((a, b))
    for kind in (WashoutKind.HALF_LIVES, WashoutKind.IRREVERSIBLE_MAOI):
        assert washout_days(short, kind, WASHOUT_RULE) <= washout_days(long, kind, WASHOUT_RULE)


@given(half_lives, st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)))
def test_clear_on_is_always_at_least_a_week_after_the_last_dose(hours: float, last: date) -> None:
    days = washout_days(hours, WashoutKind.HALF_LIVES, WASHOUT_RULE)
    assert last + timedelta(days=days) >= last + timedelta(days=8)
