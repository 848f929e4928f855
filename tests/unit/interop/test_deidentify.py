"""The Safe Harbor rules of the research set (45 CFR 164.514(b)(2)(i))."""

from __future__ import annotations

from datetime import UTC, date, datetime
from random import Random

from mdma_at.interop.research.deidentify import WITHHELD, age_group, reviewed, shifted
from mdma_at.services.exports.research import MAX_DAY_SHIFT, draw_key
from mdma_at.services.ports import ResearchKey

KEY = ResearchKey(1, "RABCDEFG", -40, datetime(2026, 1, 1, tzinfo=UTC))


def test_ages_over_89_are_one_category() -> None:
    # 164.514(b)(2)(i)(C): "all ages over 89 ... aggregated into a single category of age 90 or
    # older": 89 stays exact, 90 and above are 90+
    assert age_group(89) == "89"
    assert age_group(90) == "90+"
    assert age_group(104) == "90+"


def test_dates_move_by_the_patients_shift_and_keep_their_intervals() -> None:
    # 2026-03-10 minus 40 days, counted by hand: 10 Mar -> 28 Feb is 10 days (2026 is not a leap
    # year), 28 Feb -> 29 Jan is 30 more: 2026-01-29
    assert shifted(date(2026, 3, 10), KEY) == "2026-01-29"
    assert shifted(datetime(2026, 3, 10, 23, 59, tzinfo=UTC), KEY) == "2026-01-29"
    first, second = date(2026, 3, 10), date(2026, 4, 7)
    gap = date.fromisoformat(shifted(second, KEY)) - date.fromisoformat(shifted(first, KEY))
    assert gap == second - first
    assert shifted(None, KEY) == ""


def test_free_text_leaves_only_when_it_is_a_reviewed_term() -> None:
    assert reviewed("Palpitations") == "Palpitations"  # a term the console offers
    assert reviewed("Jordan's palpitations after the call") == WITHHELD


def test_keys_are_random_non_zero_shifts_within_the_limit() -> None:
    rng = Random(7)
    keys = [draw_key(rng) for _ in range(500)]
    shifts = [shift for _, shift in keys]
    assert all(0 < abs(shift) <= MAX_DAY_SHIFT for shift in shifts)
    assert min(shifts) < 0 < max(shifts)
    assert all(len(pseudonym) == 8 and pseudonym[0] == "R" for pseudonym, _ in keys)
    assert len({pseudonym for pseudonym, _ in keys}) == 500
