"""What the register holds: containers of study drug, received by lot (issue 15, item 1).

Quantities are whole numbers in the container's unit: dosage units (capsules, tablets) counted,
or milligrams of a powder weighed. Whole units keep the books exact (no rounding can hide a
milligram); the unit follows from the form, so a count of capsules is never booked as a mass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Form(StrEnum):
    CAPSULE = "capsule"
    TABLET = "tablet"
    POWDER = "powder"


class Unit(StrEnum):
    DOSAGE_UNIT = "unit"  # one capsule or tablet
    MILLIGRAM = "mg"


def unit_for(form: Form) -> Unit:
    """The unit a container of `form` is counted in: units for solid doses, mass for a powder."""
    return Unit.MILLIGRAM if form is Form.POWDER else Unit.DOSAGE_UNIT


class Contents(StrEnum):
    """What a kit really holds. Hidden from blinded users (issue 15, item 3)."""

    ACTIVE = "active"
    PLACEBO = "placebo"


@dataclass(frozen=True, slots=True)
class Container:
    """A bottle, vial or kit as received. Its balance is never stored: it is folded from the ledger.

    `strength` is the labelled strength of one dosage unit (e.g. "40 mg MDMA HCl") or, for a
    powder, its salt and purity as labelled; kept as printed on the label, not parsed.
    """

    id: int
    site_id: int
    kit_number: str
    supplier: str
    lot: str
    expiry: date  # the last day the lot may be used (the label's "use by" date)
    form: Form
    strength: str
    contents: Contents
    location: str

    @property
    def unit(self) -> Unit:
        return unit_for(self.form)

    def expired_on(self, day: date) -> bool:
        return day > self.expiry
