"""Change between two ratings of the same instrument (CAPS-5, PCL-5): categories with reasons.

Categories (issue 4; reference/clinical-facts.md §4 and §9):

- ``clinically_meaningful``: the total dropped by ``>= meaningful_drop`` points (10 on both the
  CAPS-5 [S13] and the PCL-5 [S79], both secondary sources);
- ``loss_of_diagnosis``: the earlier rating met the diagnosis and the later one does not [S4];
- ``remission``: loss of diagnosis and a later total ``<= remission_max_total`` (11 by default;
  the exact published definition was not found, so it is configurable);
- ``worsening``: the total rose by ``>= worsening_rise`` points, or the diagnosis appeared.

A category that cannot be decided (a total or a diagnosis is null) is left out and the reason
says why; nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments.definitions import InstrumentCode
from mdma_at.domain.instruments.results import Score
from mdma_at.domain.sources import Source


class ChangeCategory(StrEnum):
    CLINICALLY_MEANINGFUL = "clinically_meaningful"
    LOSS_OF_DIAGNOSIS = "loss_of_diagnosis"
    REMISSION = "remission"
    WORSENING = "worsening"


@dataclass(frozen=True, slots=True)
class ChangeRule:
    """The thresholds of change for one instrument (all in total-score points).

    Args:
        instrument: the instrument the rule applies to.
        meaningful_drop: a drop ``>=`` this is clinically meaningful.
        remission_max_total: remission needs the later total ``<=`` this (and loss of diagnosis).
        worsening_rise: a rise ``>=`` this is worsening.
        source: where the thresholds come from.
    """

    instrument: InstrumentCode
    meaningful_drop: int
    remission_max_total: int
    worsening_rise: int
    source: Source


@dataclass(frozen=True, slots=True)
class ChangeAssessment:
    """The change from `before` to `after`: ``delta = after.total - before.total`` (negative =
    improvement), the categories that apply and one reason per decision."""

    instrument: str
    delta: int | None
    categories: tuple[ChangeCategory, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "delta": self.delta,
            "categories": [str(c) for c in self.categories],
            "reasons": list(self.reasons),
        }


def classify_change(before: Score, after: Score, rule: ChangeRule) -> ChangeAssessment:
    """Categorise the change between two scores of the same instrument.

    Args:
        before: the earlier score (e.g. baseline CAPS-5).
        after: the later score (e.g. the primary endpoint).
        rule: the thresholds for this instrument (from the protocol).

    Returns:
        The categories in the order clinically_meaningful, loss_of_diagnosis, remission,
        worsening, each with its reason.

    Raises:
        InvalidInput: the scores are of different instruments, or not the rule's instrument.
    """
    if before.instrument != after.instrument:
        raise InvalidInput(
            "after.instrument",
            f"cannot compare {before.instrument} with {after.instrument}",
        )
    if before.instrument != rule.instrument:
        raise InvalidInput(
            "instrument", f"the change rule is for {rule.instrument}, not {before.instrument}"
        )
    categories: list[ChangeCategory] = []
    reasons: list[str] = []

    delta: int | None = None
    if before.total is None or after.total is None:
        reasons.append("change in total undetermined: a total is missing")
    else:
        delta = after.total - before.total
        drop = -delta
        if drop >= rule.meaningful_drop:
            categories.append(ChangeCategory.CLINICALLY_MEANINGFUL)
            reasons.append(
                f"clinically meaningful: total fell {drop} points "
                f"({before.total} -> {after.total}), >= {rule.meaningful_drop}"
            )
        else:
            reasons.append(
                f"not clinically meaningful: change {delta:+d} points, a drop needs "
                f">= {rule.meaningful_drop}"
            )

    lost: bool | None
    if before.diagnosis is None or after.diagnosis is None:
        lost = None
        reasons.append("loss of diagnosis undetermined: a diagnosis cannot be determined")
    else:
        lost = before.diagnosis and not after.diagnosis
        if lost:
            categories.append(ChangeCategory.LOSS_OF_DIAGNOSIS)
            reasons.append("loss of diagnosis: met the diagnosis before, no longer meets it")
        elif not before.diagnosis:
            reasons.append("no loss of diagnosis: the diagnosis was not met before")
        else:
            reasons.append("no loss of diagnosis: still meets the diagnosis")

    if lost and after.total is not None:
        if after.total <= rule.remission_max_total:
            categories.append(ChangeCategory.REMISSION)
            reasons.append(
                f"remission: loss of diagnosis and total {after.total} "
                f"<= {rule.remission_max_total}"
            )
        else:
            reasons.append(f"no remission: total {after.total} > {rule.remission_max_total}")

    rise = delta is not None and delta >= rule.worsening_rise
    new_diagnosis = before.diagnosis is False and after.diagnosis is True
    if rise or new_diagnosis:
        categories.append(ChangeCategory.WORSENING)
        if rise:
            reasons.append(f"worsening: total rose {delta} points, >= {rule.worsening_rise}")
        if new_diagnosis:
            reasons.append("worsening: the diagnosis was not met before and is met now")

    return ChangeAssessment(before.instrument, delta, tuple(categories), tuple(reasons))
