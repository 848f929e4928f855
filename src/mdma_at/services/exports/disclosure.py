"""What of a trial's allocation an export may show its user: the one gate for arm and kit fields.

Every arm or kit field that leaves the system through an export (FHIR today) is read through
`disclose_kit`; nothing else in the export reads `Container.contents`, `lot`, `supplier` or
`strength`. A blinded role (everyone but the pharmacist, ADR 0110; raters, therapists,
coordinators and patients in a trial, ADR 0161) gets the kit number alone. No export carries an
arm: the participant's allocation is never gathered (services/exports/records.py).

The kit's contents, lot, expiry and strength are concealed under the kit's blind and disclosed
through the one redaction layer of the trial blind (`domain.blinding`, ADR 0165).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mdma_at.domain.accountability import Container
from mdma_at.domain.blinding import Concealed, disclose, kit_blind
from mdma_at.domain.staff import Principal


@dataclass(frozen=True, slots=True)
class KitDisclosure:
    """A kit as the exporting user may see it: the kit number always; contents, lot, expiry and
    the labelled strength only for a role that may see unblinded stock at the kit's site."""

    kit_number: str
    contents: str | None = None
    lot: str | None = None
    expiry: date | None = None
    strength: str | None = None

    @property
    def blinded(self) -> bool:
        return self.contents is None


def disclose_kit(principal: Principal, container: Container) -> KitDisclosure:
    """The kit fields `principal` may receive for `container` (ADR 0110, 0161, 0183)."""
    blind = kit_blind(container.site_id)
    unblinded = KitDisclosure(
        container.kit_number,
        container.contents.value,
        container.lot,
        container.expiry,
        container.strength,
    )
    revealed: KitDisclosure | None = disclose(Concealed(unblinded, blind), principal)
    return revealed if revealed is not None else KitDisclosure(container.kit_number)
