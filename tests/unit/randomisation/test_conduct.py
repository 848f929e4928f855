"""A typed guess of the arm is checked before anything is stored (issue 16, item 5; ADR 0171)."""

from __future__ import annotations

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.randomisation.conduct import (
    Confidence,
    Guess,
    Respondent,
    check_guess,
    respondent_key,
)

POINTS = ("es1", "es2", "es3", "primary")


def test_a_guess_of_an_arm_takes_a_confidence_and_dont_know_none() -> None:
    draft = check_guess("es2", "therapist", "placebo", "somewhat", POINTS)
    assert (draft.respondent, draft.guess, draft.confidence) == (
        Respondent.THERAPIST, Guess.PLACEBO, Confidence.SOMEWHAT,
    )  # fmt: skip
    assert check_guess("primary", "participant", "dont_know", "", POINTS).confidence is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (("fu6m", "participant", "active", "strong"), "time_point"),
        (("es1", "nurse", "active", "strong"), "respondent"),
        (("es1", "rater", "mdma", "strong"), "guess"),
        (("es1", "rater", "active", ""), "confidence"),
        (("es1", "rater", "active", "very"), "confidence"),
        (("es1", "rater", "dont_know", "strong"), "confidence"),
    ],
)
def test_bad_input_names_the_field(fields: tuple[str, str, str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_guess(*fields, POINTS)
    assert refused.value.field == field


def test_one_key_per_person() -> None:
    assert respondent_key(Respondent.PARTICIPANT, None) == "participant"
    assert respondent_key(Respondent.RATER, 9) == "rater:9"
