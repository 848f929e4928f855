"""What a user sees of the stock: blinded users see kits, never what they hold (issue 15, item 3).

Active and placebo kits look alike; what could tell them apart is the contents, the lot (an
active and a placebo lot are different lots), the supplier and strength on the label, and any
total that splits by those. A blinded user therefore sees the kit number, form, unit, expiry,
location and the kit's own balance (equal in both arms for identical kits), and no totals by lot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from mdma_at.domain.accountability.ledger import Books
from mdma_at.domain.accountability.stock import Contents, Form, Unit


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
    # None for a blinded viewer
    contents: Contents | None = None
    lot: str | None = None
    supplier: str | None = None
    strength: str | None = None


def stock_lines(books: Books, site_ids: frozenset[int], *, blinded: bool) -> list[KitLine]:
    """The kits at `site_ids`, by kit number; the revealing fields only for an unblinded viewer."""
    lines = []
    for container in sorted(books.containers.values(), key=lambda c: (c.site_id, c.kit_number)):
        if container.site_id not in site_ids:
            continue
        line = KitLine(
            container.id,
            container.site_id,
            container.kit_number,
            container.form,
            container.unit,
            container.expiry,
            container.location,
            books.balance(container.id),
        )
        if not blinded:
            line = replace(
                line,
                contents=container.contents,
                lot=container.lot,
                supplier=container.supplier,
                strength=container.strength,
            )
        lines.append(line)
    return lines
