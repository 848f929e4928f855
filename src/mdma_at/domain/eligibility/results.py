"""Verdicts with their reasons: criterion results, the decision and the screening result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mdma_at.domain.sources import Source
from mdma_at.domain.washout import InteractionWarning, WashoutPlan


class CriterionStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    #: The physician decides.
    NEEDS_REVIEW = "needs_review"
    #: Met on a known later date: a medication washout still running.
    PENDING = "pending"


#: Most restrictive first: how several findings under one criterion combine.
RESTRICTIVENESS = (
    CriterionStatus.NOT_MET,
    CriterionStatus.NEEDS_REVIEW,
    CriterionStatus.PENDING,
    CriterionStatus.MET,
)


class Decision(StrEnum):
    INELIGIBLE = "ineligible"
    NEEDS_REVIEW = "needs_review"
    ELIGIBLE_AFTER_WASHOUT = "eligible_after_washout"
    ELIGIBLE = "eligible"


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion's verdict: stable id, status, a plain-language reason naming the value and the
    limit, and the rule's source."""

    id: str
    status: CriterionStatus
    reason: str
    source: Source

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "status": self.status.value,
            "reason": self.reason,
            "source": str(self.source),
        }


def decide(statuses: Iterable[CriterionStatus]) -> Decision:
    """The decision, in this order of precedence.

    `ineligible` if any criterion is `not_met`; else `needs_review` if any needs review; else
    `eligible_after_washout` if any is `pending`; else `eligible`.
    """
    present = set(statuses)
    if CriterionStatus.NOT_MET in present:
        return Decision.INELIGIBLE
    if CriterionStatus.NEEDS_REVIEW in present:
        return Decision.NEEDS_REVIEW
    if CriterionStatus.PENDING in present:
        return Decision.ELIGIBLE_AFTER_WASHOUT
    return Decision.ELIGIBLE


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The verdict of one screening.

    Attributes:
        decision: see `decide`.
        earliest_baseline: the latest `clear_on` of the washouts when any is still pending, else
            None. Reported whatever the decision, so a physician overriding a review sees it.
        criteria: every criterion evaluated, in a stable order.
        washout: the washout of each recorded medication that needs one.
        warnings: interaction warnings for the physician.
    """

    decision: Decision
    earliest_baseline: date | None
    criteria: tuple[CriterionResult, ...]
    washout: tuple[WashoutPlan, ...]
    warnings: tuple[InteractionWarning, ...]

    def criterion(self, criterion_id: str) -> CriterionResult:
        for result in self.criteria:
            if result.id == criterion_id:
                return result
        raise KeyError(criterion_id)

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of `mdma-at screen --json` (DESIGN.md §5)."""
        return {
            "decision": self.decision.value,
            "earliest_baseline": (
                self.earliest_baseline.isoformat() if self.earliest_baseline else None
            ),
            "criteria": [result.to_dict() for result in self.criteria],
            "washout": [plan.to_dict() for plan in self.washout],
            "warnings": [warning.to_dict() for warning in self.warnings],
        }
