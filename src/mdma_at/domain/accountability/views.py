"""What a user sees of the stock: blinded users see kits, never what they hold (issue 15, item 3).

Active and placebo kits look alike; what could tell them apart is the contents, the lot (an
active and a placebo lot are different lots), the supplier and strength on the label, and any
total that splits by those. A blinded user therefore sees the kit number, form, unit, expiry,
location and the kit's own balance (equal in both arms for identical kits), and no totals by lot.
The revealing fields are `Concealed` for the site's pharmacist (`kit_blind`), so whoever reads a
line gets them only through `disclose` (ADR 0165).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mdma_at.domain.accountability.ledger import Books
from mdma_at.domain.accountability.stock import Contents, Form, Unit
from mdma_at.domain.blinding import Concealed, kit_blind


@dataclass(frozen=True, slots=True)
class KitLine:
    container_id: int
    site_id: int
    kit_number: str
    form: Form
    unit: Unit
    expiry: date
    location: str
    balance: int
    # for the unblinded pharmacist only; disclosed as None to anyone else
    contents: Concealed[Contents] | None = None
    lot: Concealed[str] | None = None
    supplier: Concealed[str] | None = None
    strength: Concealed[str] | None = None


def stock_lines(books: Books, site_ids: frozenset[int]) -> list[KitLine]:
    """The kits at `site_ids`, by kit number; the revealing fields concealed (`kit_blind`)."""
    lines = []
    for container in sorted(books.containers.values(), key=lambda c: (c.site_id, c.kit_number)):
        if container.site_id not in site_ids:
            continue
        blind = kit_blind(container.site_id)
        lines.append(
            KitLine(
                container.id,
                container.site_id,
                container.kit_number,
                container.form,
                container.unit,
                container.expiry,
                container.location,
                books.balance(container.id),
                Concealed(container.contents, blind),
                Concealed(container.lot, blind),
                Concealed(container.supplier, blind),
                Concealed(container.strength, blind),
            )
        )
    return lines
