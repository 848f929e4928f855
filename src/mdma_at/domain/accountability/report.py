"""The register for a period, as an inspector reads it (issue 15, item 4): per container the
opening balance, every movement dated in the period, the closing balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mdma_at.domain.accountability.ledger import Books, Movement, stock_change
from mdma_at.domain.accountability.stock import Container
from mdma_at.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class ContainerPeriod:
    container: Container
    opening: int
    movements: tuple[tuple[Movement, int], ...]  # each entry with its change of the stock
    closing: int


def period_register(
    books: Books, site_id: int, start: date, end: date
) -> tuple[ContainerPeriod, ...]:
    """The site's containers over [start, end] (both days included), by kit number.

    Entries count on the day they are dated (`at`), which is when the drug moved; an entry typed
    later is still in the period it happened in.
    """
    if end < start:
        raise InvalidInput("end", f"{end} is before the start {start}")
    lines = []
    for container in sorted(books.containers.values(), key=lambda c: c.kit_number):
        if container.site_id != site_id:
            continue
        entries = sorted(
            (m for m in books.movements.values() if m.container_id == container.id),
            key=lambda m: (m.at, m.id),
        )
        opening = sum(stock_change(books, m) for m in entries if m.at.date() < start)
        during = tuple((m, stock_change(books, m)) for m in entries if start <= m.at.date() <= end)
        lines.append(
            ContainerPeriod(container, opening, during, opening + sum(c for _, c in during))
        )
    return tuple(lines)
