"""Washout arithmetic: when a medication has cleared, counted in whole days.

The rule (MAPP1, secondary summary [S13]): the last dose date + 5 elimination half-lives + 7 days,
rounded up to a whole day; for irreversible MAOIs never less than 14 days, because the enzyme must
be re-synthesised whatever the drug's own half-life. Dates are calendar dates: a washout that
clears on the screening date or before it is complete.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from mdma_at.domain.washout.table import MedicationEntry, WashoutKind, WashoutRule

HOURS_PER_DAY = 24


def washout_days(half_life_hours: float, kind: WashoutKind, rule: WashoutRule) -> int:
    """Whole days from the last dose until the medication has cleared.

    Args:
        half_life_hours: elimination half-life of the longest-lived active moiety, hours (> 0).
        kind: HALF_LIVES or IRREVERSIBLE_MAOI.
        rule: the protocol's washout rule.

    Returns:
        ceil(half_lives × t½ / 24 h + extra_days); for IRREVERSIBLE_MAOI the larger of that and
        the MAOI minimum. Computed in exact fractions: 5 × 24 h is exactly 5 days, never 5.0000001.
    """
    if kind is WashoutKind.NONE:
        raise ValueError("a medication without a washout has no washout days")
    exact = (
        Fraction(rule.half_lives) * Fraction(str(half_life_hours)) / HOURS_PER_DAY + rule.extra_days
    )
    days = math.ceil(exact)
    if kind is WashoutKind.IRREVERSIBLE_MAOI:
        days = max(days, rule.irreversible_maoi_minimum_days)
    return days


@dataclass(frozen=True, slots=True)
class WashoutPlan:
    """When one medication clears.

    Attributes:
        name: the name as entered on the intake (a brand name stays a brand name).
        entry: the table entry it matched.
        last_dose: the date of the last dose.
        days: whole days of washout (see `washout_days`).
        clear_on: last_dose + days; the first day the medication counts as cleared.
        maoi_minimum_applied: True when the irreversible-MAOI floor, not the half-lives, set `days`.
    """

    name: str
    entry: MedicationEntry
    last_dose: date
    days: int
    clear_on: date
    maoi_minimum_applied: bool

    def is_complete(self, on: date) -> bool:
        """True when the medication has cleared by `on` (clear_on ≤ on)."""
        return self.clear_on <= on

    def to_dict(self) -> dict[str, object]:
        """The `washout` row of the screening JSON contract."""
        return {
            "medication": self.entry.generic,
            "last_dose": self.last_dose.isoformat(),
            "half_life_hours": self.entry.half_life_hours,
            "clear_on": self.clear_on.isoformat(),
        }


def plan_washout(
    name: str, entry: MedicationEntry, last_dose: date, rule: WashoutRule
) -> WashoutPlan:
    """The washout of one medication that needs one (`entry.needs_washout`)."""
    if entry.half_life_hours is None:
        raise ValueError(f"{entry.generic} needs no washout")
    days = washout_days(entry.half_life_hours, entry.washout, rule)
    by_half_lives = washout_days(entry.half_life_hours, WashoutKind.HALF_LIVES, rule)
    return WashoutPlan(
        name=name,
        entry=entry,
        last_dose=last_dose,
        days=days,
        clear_on=last_dose + timedelta(days=days),
        maoi_minimum_applied=days > by_half_lives,
    )
