"""The medication table: what the washout planner knows about each drug.

A protocol ships its table as data (e.g. `mdma_at.protocols.mapp_v1.medications`). Each entry says
whether the drug needs a washout before baseline and, if so, the elimination half-life of its
longest-lived active moiety with the drug label it comes from. Entries that need no washout are
listed too, so that only medications the table truly does not know go to the physician.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from mdma_at.domain.sources import Source


class Interaction(StrEnum):
    """A reason a medication must not overlap with MDMA."""

    #: MAOIs and other serotonergic drugs: serotonin toxicity with MDMA (a serotonin releaser).
    SEROTONIN_TOXICITY = "serotonin_toxicity"
    #: CYP2D6 inhibitors: MDMA is cleared mainly by CYP2D6, so its exposure rises.
    RAISED_MDMA_EXPOSURE = "raised_mdma_exposure"
    #: CYP2D6 substrates: MDMA inhibits CYP2D6, so their levels rise during and for days after a
    #: dosing session. A warning for the physician, never an exclusion on its own.
    CYP2D6_SUBSTRATE = "cyp2d6_substrate"


class WashoutKind(StrEnum):
    """Which washout rule applies to an entry."""

    #: Not psychiatric, not serotonergic, not a CYP2D6 inhibitor: may continue.
    NONE = "none"
    #: 5 half-lives + 7 days (the protocol's rule).
    HALF_LIVES = "half_lives"
    #: Irreversible MAOI: the half-life rule, but never shorter than the MAOI minimum (14 days),
    #: because the enzyme must be re-synthesised whatever the drug's own half-life.
    IRREVERSIBLE_MAOI = "irreversible_maoi"


def normalise_name(name: str) -> str:
    """The key a medication name is matched by: case-folded, single-spaced, trimmed.

    ``"  Effexor   XR "`` and ``"effexor xr"`` match the same entry.
    """
    return re.sub(r"\s+", " ", name).strip().casefold()


@dataclass(frozen=True, slots=True)
class MedicationEntry:
    """One drug of the table.

    Args:
        generic: the generic (INN/USAN) name, lower case; the id used in criterion ids.
        brands: common brand names (any case; matched case-insensitively).
        drug_class: the clinic's name for the class ("SSRI", "irreversible MAOI", ...).
        washout: which washout rule applies.
        half_life_hours: elimination half-life of the longest-lived active moiety, in hours;
            None exactly when `washout` is NONE.
        moiety: the moiety whose half-life is used (e.g. "norfluoxetine").
        source: where the half-life comes from (the drug label), or why no washout is needed.
        interactions: why the drug must not overlap with MDMA (for warnings).
        why_washout: plain-language reason for the washout (e.g. "psychiatric medication").
    """

    generic: str
    brands: tuple[str, ...]
    drug_class: str
    washout: WashoutKind
    half_life_hours: float | None
    moiety: str
    source: Source
    interactions: frozenset[Interaction] = field(default_factory=frozenset)
    why_washout: str = ""

    def __post_init__(self) -> None:
        if self.generic != normalise_name(self.generic):
            raise ValueError(f"{self.generic!r}: generic names are stored normalised")
        if (self.washout is WashoutKind.NONE) != (self.half_life_hours is None):
            raise ValueError(f"{self.generic}: a half-life is given exactly when a washout applies")
        if self.half_life_hours is not None and self.half_life_hours <= 0:
            raise ValueError(f"{self.generic}: half-life must be positive")

    @property
    def needs_washout(self) -> bool:
        return self.washout is not WashoutKind.NONE

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the entry is matched by, generic first."""
        return (self.generic, *self.brands)


@dataclass(frozen=True, slots=True)
class WashoutRule:
    """The protocol's washout rule: clear on last dose + `half_lives` × t½ + `extra_days`.

    Args:
        half_lives: number of elimination half-lives (5 in MAPP1).
        extra_days: days added after the half-lives (7 in MAPP1: "and 1 week").
        irreversible_maoi_minimum_days: the floor for irreversible MAOIs (14).
        source: where the rule comes from.
        maoi_source: where the MAOI floor comes from.
    """

    half_lives: int
    extra_days: int
    irreversible_maoi_minimum_days: int
    source: Source
    maoi_source: Source


@dataclass(frozen=True, slots=True)
class MedicationTable:
    """The protocol's medication table and washout rule, matched by generic or brand name."""

    rule: WashoutRule
    entries: tuple[MedicationEntry, ...]
    _index: dict[str, MedicationEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, MedicationEntry] = {}
        for entry in self.entries:
            for name in entry.names:
                key = normalise_name(name)
                if key in index:
                    raise ValueError(
                        f"medication name {name!r} is listed for both "
                        f"{index[key].generic} and {entry.generic}"
                    )
                index[key] = entry
        # A frozen dataclass builds its lookup index once, here.
        object.__setattr__(self, "_index", index)

    def find(self, name: str) -> MedicationEntry | None:
        """The entry for a generic or brand name (case-insensitive), or None when unknown."""
        return self._index.get(normalise_name(name))
