"""Physical counts and the discrepancies they open (issue 15, item 4).

A count states what was found in a container; the books state what should be there. Any
difference opens a discrepancy that stays open, on the dashboard, until someone resolves it with
a reason (an adjustment may follow, signed off; "acknowledged" never means "resolved"). A period
closes only on a full count: every container of the site counted after its last movement, and no
discrepancy left open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from mdma_at.domain.accountability.ledger import MAX_QUANTITY, Books
from mdma_at.domain.errors import InvalidInput

MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class Count:
    """A physical count of one container: what the books said (`expected`) and what was found."""

    id: int
    container_id: int
    counted: int
    expected: int
    at: datetime
    counted_by: int

    @property
    def difference(self) -> int:
        """Found minus booked: negative means missing."""
        return self.counted - self.expected


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """Opened by a count that disagrees with the books; open until `resolution` is set."""

    id: int
    count_id: int
    container_id: int
    difference: int
    opened_at: datetime
    resolution: str | None = None
    resolved_by: int | None = None
    resolved_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.resolution is None


def check_count(books: Books, container_id: int, counted: int, at: datetime) -> int:
    """The expected balance a count of `counted` is compared with; refuses impossible counts."""
    if container_id not in books.containers:
        raise InvalidInput("container_id", f"no container {container_id} on the books")
    if not 0 <= counted <= MAX_QUANTITY:
        raise InvalidInput("counted", f"a count is 0 to {MAX_QUANTITY:,}, not {counted}")
    closed = books.in_closed_period(books.containers[container_id].site_id, at.date())
    if closed is not None:
        raise InvalidInput("at", f"{at.date()} is in a closed period (closed through {closed})")
    return books.balance(container_id)


def check_resolution(discrepancy: Discrepancy, reason: str) -> str:
    if not discrepancy.open:
        raise InvalidInput("discrepancy_id", f"discrepancy {discrepancy.id} is resolved already")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason", "a discrepancy is resolved with a reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput("reason", f"at most {MAX_REASON} characters")
    return reason


def check_period_close(
    books: Books,
    site_id: int,
    through: date,
    counts: Iterable[Count],
    discrepancies: Sequence[Discrepancy],
) -> None:
    """Refuse to close the site's register through `through` without a full, clean count.

    (`Books.close_period` then refuses a date not after the last closed period.)

    Every container of the site is counted on `through` (after its last movement), and every
    discrepancy is resolved.
    """
    containers = [c for c in books.containers.values() if c.site_id == site_id]
    last_count: dict[int, Count] = {}
    for count in counts:
        if count.at.date() == through:
            known = last_count.get(count.container_id)
            if known is None or count.id > known.id:
                last_count[count.container_id] = count
    for container in containers:
        final = last_count.get(container.id)
        later = [
            m
            for m in books.movements.values()
            if m.container_id == container.id and (final is None or m.at > final.at)
        ]
        if final is None or later:
            raise InvalidInput(
                "through",
                f"kit {container.kit_number} has no count on {through} after its last movement "
                "(a period closes on a full count)",
            )
    still_open = [d.id for d in discrepancies if d.open]
    if still_open:
        raise InvalidInput(
            "through",
            f"discrepancies {', '.join(map(str, still_open))} are open; resolve them first",
        )
