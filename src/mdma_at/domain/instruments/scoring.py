"""`score(definition, answers)`: the one entry point services, forms and the CLI call.

Pure: validated answers in, a `Score` with reasons and alerts out. Bad input raises
`InvalidInput` naming the item (``items[3]: 5 is outside 0–4``) before anything is scored.
"""

from __future__ import annotations

from collections.abc import Sequence

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments.answers import validate_answers
from mdma_at.domain.instruments.cssrs import score_cssrs_screen
from mdma_at.domain.instruments.definitions import (
    DiagnosisRule,
    InstrumentDefinition,
    ScoringMethod,
)
from mdma_at.domain.instruments.rating_scales import score_rating_scale
from mdma_at.domain.instruments.results import Score


def score(
    definition: InstrumentDefinition,
    answers: Sequence[int | bool | None],
    *,
    criterion_f: bool | None = None,
    criterion_g: bool | None = None,
) -> Score:
    """Validate and score one administration.

    Args:
        definition: the instrument, from the protocol (``protocol.instruments.get("phq9")``).
        answers: one answer per item in form order; None for a missing answer; yes/no items
            take True/False or 1/0.
        criterion_f: CAPS-5 only: duration > 1 month; None when not given.
        criterion_g: CAPS-5 only: clinically significant distress or impairment; None when not
            given.

    Returns:
        The score; `Score.to_dict()` is the JSON contract of `mdma-at score --json`.

    Raises:
        InvalidInput: wrong number of answers (``items``), an answer out of range
            (``items[n]``), or criterion F/G given for an instrument other than the CAPS-5.
    """
    if definition.diagnosis_rule is not DiagnosisRule.DSM5_WITH_F_AND_G:
        for field, value in (("criterion_f", criterion_f), ("criterion_g", criterion_g)):
            if value is not None:
                raise InvalidInput(field, f"applies only to the CAPS-5, not to {definition.name}")
    checked = validate_answers(definition, answers)
    if definition.scoring is ScoringMethod.CSSRS_SCREEN:
        return score_cssrs_screen(definition, checked)
    return score_rating_scale(definition, checked, criterion_f=criterion_f, criterion_g=criterion_g)
