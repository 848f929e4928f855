"""Change between two ratings of the same instrument (CAPS-5, PCL-5): categories with reasons.

The improvement grades are MAPP's, escalating and mutually exclusive (issue 9, item 12;
reference/clinical-facts.md §4: escalating labels [S33], loss of diagnosis [S4]); a change gets
only its highest grade:

- ``clinically_meaningful`` (response): the total dropped by ``>= meaningful_drop`` points (10 on
  both the CAPS-5 [S13] and the PCL-5 [S79], both secondary sources);
- ``loss_of_diagnosis``: a response *and* the earlier rating met the diagnosis and the later one
  does not. Falling below the diagnostic rule without a response is not a loss of diagnosis;
- ``remission``: a loss of diagnosis *and* a later total ``<= remission_max_total`` (11).

Apart from the grades, ``worsening``: the total rose by ``>= worsening_rise`` points, or the
diagnosis appeared.

A grade that cannot be decided (a total or a diagnosis is null) is not given and the reason says
why; nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments.definitions import InstrumentCode
from mdma_at.domain.instruments.results import Score
from mdma_at.domain.sources import Source


class ChangeCategory(StrEnum):
    #: Response: the first grade of improvement.
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
        At most one grade of improvement (the highest of clinically_meaningful,
        loss_of_diagnosis, remission), then worsening when it applies, with a reason for each
        step.

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
    response = False
    if before.total is None or after.total is None:
        reasons.append("no grade of improvement: a total is missing")
    else:
        delta = after.total - before.total
        drop = -delta
        response = drop >= rule.meaningful_drop
        if response:
            reasons.append(
                f"response (clinically meaningful): total fell {drop} points "
                f"({before.total} -> {after.total}), >= {rule.meaningful_drop}"
            )
        else:
            reasons.append(
                f"no response: change {delta:+d} points, a drop needs "
                f">= {rule.meaningful_drop}; no higher grade without a response"
            )

    lost = False
    if response:
        if before.diagnosis is None or after.diagnosis is None:
            reasons.append("loss of diagnosis undetermined: a diagnosis cannot be determined")
        elif not before.diagnosis:
            reasons.append("no loss of diagnosis: the diagnosis was not met before")
        elif after.diagnosis:
            reasons.append("no loss of diagnosis: still meets the diagnosis")
        else:
            lost = True
            reasons.append(
                "loss of diagnosis: a response, and the diagnosis met before is no longer met"
            )

    remission = False
    if lost and after.total is not None:
        remission = after.total <= rule.remission_max_total
        if remission:
            reasons.append(
                f"remission: loss of diagnosis and total {after.total} "
                f"<= {rule.remission_max_total}"
            )
        else:
            reasons.append(f"no remission: total {after.total} > {rule.remission_max_total}")

    # Mutually exclusive: only the highest grade reached is given.
    if remission:
        categories.append(ChangeCategory.REMISSION)
    elif lost:
        categories.append(ChangeCategory.LOSS_OF_DIAGNOSIS)
    elif response:
        categories.append(ChangeCategory.CLINICALLY_MEANINGFUL)

    rise = delta is not None and delta >= rule.worsening_rise
    new_diagnosis = before.diagnosis is False and after.diagnosis is True
    if rise or new_diagnosis:
        categories.append(ChangeCategory.WORSENING)
        if rise:
            reasons.append(f"worsening: total rose {delta} points, >= {rule.worsening_rise}")
        if new_diagnosis:
            reasons.append("worsening: the diagnosis was not met before and is met now")

    return ChangeAssessment(before.instrument, delta, tuple(categories), tuple(reasons))
