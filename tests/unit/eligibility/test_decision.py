"""The decision's order of precedence and the criterion helpers."""

from __future__ import annotations

import pytest

from mdma_at.domain.eligibility import CriterionStatus, Decision, decide
from mdma_at.domain.eligibility.rules import slug

MET = CriterionStatus.MET
NOT_MET = CriterionStatus.NOT_MET
REVIEW = CriterionStatus.NEEDS_REVIEW
PENDING = CriterionStatus.PENDING


@pytest.mark.parametrize(
    ("statuses", "decision"),
    [
        ([MET, MET], Decision.ELIGIBLE),
        ([], Decision.ELIGIBLE),
        ([MET, PENDING], Decision.ELIGIBLE_AFTER_WASHOUT),
        ([MET, PENDING, REVIEW], Decision.NEEDS_REVIEW),
        ([REVIEW, PENDING, NOT_MET], Decision.INELIGIBLE),
        ([NOT_MET], Decision.INELIGIBLE),
        ([PENDING, REVIEW], Decision.NEEDS_REVIEW),
    ],
)
def test_decision_precedence_is_ineligible_then_review_then_washout_then_eligible(
    statuses: list[CriterionStatus], decision: Decision
) -> None:
    assert decide(statuses) is decision


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("St John's wort", "st_john_s_wort"),
        ("Zzyzx Forte 20 mg", "zzyzx_forte_20_mg"),
        ("  ", "unnamed"),
        ("methylene blue", "methylene_blue"),
    ],
)
def test_criterion_ids_built_from_free_text_are_snake_case(text: str, expected: str) -> None:
    assert slug(text) == expected
