"""Allergies on the chart (issue 14, item 3): a free-text list, or the coded "none known".

"No known allergies" is a statement someone made on a day, not the absence of a record: the chart
shows "not recorded" until either is entered (ADR 0136). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.errors import InvalidInput

#: The coded entry for "no known allergies" (SNOMED CT 716186003 |No known allergy|).
NONE_KNOWN = "none_known"
NONE_KNOWN_SNOMED_CT = "716186003"
MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class AllergyEntry:
    """One entry: an allergy (substance, reaction) or the coded `NONE_KNOWN`."""

    id: int
    patient_id: int
    code: str | None
    substance: str
    reaction: str
    recorded_by_name: str
    recorded_at: datetime

    @property
    def none_known(self) -> bool:
        return self.code == NONE_KNOWN


@dataclass(frozen=True, slots=True)
class AllergyList:
    """What the chart shows: the allergies, or none known, or not recorded."""

    entries: tuple[AllergyEntry, ...]

    @property
    def allergies(self) -> tuple[AllergyEntry, ...]:
        return tuple(e for e in self.entries if not e.none_known)

    @property
    def none_known(self) -> AllergyEntry | None:
        """The "none known" statement, when no allergy is recorded."""
        if self.allergies:
            return None
        stated = [e for e in self.entries if e.none_known]
        return stated[-1] if stated else None

    @property
    def recorded(self) -> bool:
        return bool(self.entries)


def check_allergy(substance: str, reaction: str, none_known: bool,
                  existing: Sequence[AllergyEntry]) -> tuple[str, str]:  # fmt: skip
    """The substance and reaction, trimmed, of an entry that can be added to `existing`.

    Raises:
        InvalidInput: ``substance`` empty (for an allergy) or given with "none known", a text too
            long, or "none known" when allergies are recorded.
    """
    substance, reaction = substance.strip(), reaction.strip()
    for field, text in (("substance", substance), ("reaction", reaction)):
        if len(text) > MAX_TEXT:
            raise InvalidInput(field, f"is longer than {MAX_TEXT} characters")
    if none_known:
        if substance or reaction:
            raise InvalidInput("substance", "must be empty when recording no known allergies")
        if any(not e.none_known for e in existing):
            raise InvalidInput(
                "none_known", "allergies are recorded for this patient: none known contradicts them"
            )
        return "", ""
    if not substance:
        raise InvalidInput("substance", "must not be empty (what the patient is allergic to)")
    return substance, reaction
