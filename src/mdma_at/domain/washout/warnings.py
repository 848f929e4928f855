"""Interaction warnings: why a medication must not overlap with MDMA.

Shown to the physician for every recorded medication with an interaction, whether or not its
washout is complete: a cleared SSRI must still not be restarted before the last dosing session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mdma_at.domain.washout.table import Interaction, MedicationEntry, WashoutKind

_WHY = {
    Interaction.SEROTONIN_TOXICITY: "serotonin toxicity when combined with MDMA",
    Interaction.RAISED_MDMA_EXPOSURE: (
        "inhibits CYP2D6, the main enzyme clearing MDMA: raised MDMA exposure"
    ),
    Interaction.CYP2D6_SUBSTRATE: (
        "a CYP2D6 substrate: MDMA inhibits CYP2D6, so its levels may rise during and for days "
        "after each dosing session"
    ),
}

_NOT_BEFORE_THE_LAST_SESSION = "must not be restarted before the last dosing session"
_ADVICE = {
    Interaction.SEROTONIN_TOXICITY: _NOT_BEFORE_THE_LAST_SESSION,
    Interaction.RAISED_MDMA_EXPOSURE: _NOT_BEFORE_THE_LAST_SESSION,
    Interaction.CYP2D6_SUBSTRATE: (
        "a warning, not an exclusion: the physician reviews its dose and what to watch for"
    ),
}


@dataclass(frozen=True, slots=True)
class InteractionWarning:
    """One warning for the physician: the medication, the interaction and what it means."""

    medication: str
    interaction: Interaction
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "medication": self.medication,
            "interaction": self.interaction.value,
            "message": self.message,
        }


def interaction_warnings(
    entry: MedicationEntry, clear_on: date | None
) -> tuple[InteractionWarning, ...]:
    """The warnings for one recorded medication, in a stable order.

    Args:
        entry: the matched table entry.
        clear_on: the date the washout completes, or None when the entry needs no washout.
    """
    warnings = []
    for interaction in sorted(entry.interactions):
        why = _WHY[interaction]
        if entry.washout is WashoutKind.IRREVERSIBLE_MAOI and (
            interaction is Interaction.SEROTONIN_TOXICITY
        ):
            why = "severe, potentially fatal " + why + " (irreversible MAO inhibition)"
        advice = _ADVICE[interaction]
        until = ""
        if clear_on is not None and advice == _NOT_BEFORE_THE_LAST_SESSION:
            until = f"washout clear on {clear_on.isoformat()}; "
        message = f"{entry.generic} ({entry.drug_class}): {why}; {until}{advice}"
        warnings.append(InteractionWarning(entry.generic, interaction, message))
    return tuple(warnings)
