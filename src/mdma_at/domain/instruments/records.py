"""Answers item by item, with the codes to store beside them (issue 4: "stored item by item with
the instrument version and LOINC codes")."""

from __future__ import annotations

from dataclasses import dataclass

from mdma_at.domain.instruments.definitions import InstrumentDefinition
from mdma_at.domain.instruments.results import Score


@dataclass(frozen=True, slots=True)
class ItemAnswer:
    """One answer as stored.

    Args:
        number / label: the item on the form (``7`` / ``"6b"``).
        value: the rating (yes = 1, no = 0), or None when unanswered.
        loinc: the item's LOINC code, None where unverified.
        answer_loinc: the LOINC answer code of `value`, where the instrument has them.
    """

    number: int
    label: str
    value: int | None
    loinc: str | None
    answer_loinc: str | None


def item_answers(definition: InstrumentDefinition, scored: Score) -> tuple[ItemAnswer, ...]:
    """The answers of `scored`, one record per item of `definition`, in form order."""
    records: list[ItemAnswer] = []
    for item, value in zip(definition.items, scored.answers, strict=True):
        answer_loinc = None
        if value is not None and definition.option_loinc:
            answer_loinc = definition.option_loinc[value - item.minimum]
        records.append(ItemAnswer(item.number, item.label, value, item.loinc, answer_loinc))
    return tuple(records)
