"""The register's books kept between transactions, so a write or a page folds only the rows
stored since, not the whole register again (issue 19, item 5; ADR 0218).

Every register write first checks its entry against the books; folding the whole ledger for
each one made a trial's register cost the square of its length. The tables the books are folded
from are append-only (the database refuses edits), so the kept books carried on over the rows
stored after them are the books of every row, and every new row passes the same rules
(`accountability.fold_more`). Nothing is kept that cannot be vouched for; the full fold is used
whenever what was kept does not line up with the database:

- the rows counted in a table are not the kept ones plus the new ones read after them, or its
  highest id is not the last one read (rows gone, e.g. a restore, or a writer between the reads);
- a period was closed since (rare; closing one checks every later entry's date, so it is
  refolded in the order of the full fold);
- the audit trail no longer holds the event that was its head when the books were kept, with
  the same hash (a restore, even one whose rows were then written again up to the same counts:
  the chain's hash at that event covers every row sealed before it);
- read by a transaction that stored something in the register (it may yet be rolled back):
  such a transaction uses the kept books, carried on over its own rows, but keeps nothing.

The books live in this process's memory, one per database; another worker or a restart only
means one full fold.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from mdma_at.domain.accountability import Books, fold, fold_more
from mdma_at.services.ports import BooksKeeper, KeptBooks, RegisterTally, UnitOfWork


class BooksStore(BooksKeeper):
    """The kept books of one database's register, shared by the threads of one process."""

    def __init__(self) -> None:
        self._kept: KeptBooks | None = None
        self._lock = threading.Lock()

    def get(self) -> KeptBooks | None:
        with self._lock:
            return self._kept

    def keep(self, kept: KeptBooks) -> None:
        # the last read wins: books of an older state (a slower reader) are only carried on a
        # little further by the next read, and books no longer lined up must be replaced
        with self._lock:
            self._kept = kept


def books_of(uow: UnitOfWork) -> Books:
    """The register's books as stored (inside the caller's transaction), every rule checked
    on the way: the kept books carried on when they line up with the database, else the full
    fold."""
    tally = uow.register.tally()
    kept = uow.kept_books.get()
    books = _carried_on(uow, kept, tally) if kept is not None and _same_trail(uow, kept) else None
    if books is None:
        books, periods = _full_fold(uow)
        if not _covers(books, periods, tally):
            return books  # rows stored between the reads: right for this read, not kept
    if not uow.register.written():
        uow.kept_books.keep(KeptBooks(tally, books, uow.audit.head()))
    return books


def _same_trail(uow: UnitOfWork, kept: KeptBooks) -> bool:
    """Whether the audit trail still holds the head it had when the books were kept."""
    if kept.audit is None:  # kept of a database with no audit event yet: so no register row
        return kept.tally == RegisterTally((0, 0), (0, 0), (0, 0), (0, 0))
    event_id, event_hash = kept.audit
    return uow.audit.hash_at(event_id) == event_hash


def _full_fold(uow: UnitOfWork) -> tuple[Books, int]:
    books = fold(uow.register.containers(), uow.register.movements())
    for session_id in sorted(uow.register.closed_sessions()):
        books = books.close_session(session_id)
    periods = uow.register.periods()
    for site_id, through in periods:
        books = books.close_period(site_id, through)
    return books, len(periods)


def _covers(books: Books, periods: int, tally: RegisterTally) -> bool:
    """Whether the fully folded books are exactly the rows the tally counted."""
    return (
        _counted(books.containers) == tally.containers
        and _counted(books.movements) == tally.movements
        and len(books.closed_sessions) == tally.closed_sessions[0]
        and periods == tally.periods[0]
    )


def _counted(rows: Mapping[int, object]) -> tuple[int, int]:
    return len(rows), max(rows, default=0)


def _carried_on(uow: UnitOfWork, kept: KeptBooks, tally: RegisterTally) -> Books | None:
    if tally == kept.tally:
        return kept.books  # nothing stored since (a page read, mostly)
    if tally.periods != kept.tally.periods:
        return None
    was = kept.tally
    containers = uow.register.containers(after=was.containers[1])
    movements = uow.register.movements(after=was.movements[1])
    closed = uow.register.closed_sessions(after=was.closed_sessions[1])
    if not (
        _follows(was.containers, [c.id for c in containers], tally.containers)
        and _follows(was.movements, [m.id for m in movements], tally.movements)
        and was.closed_sessions[0] + len(closed) == tally.closed_sessions[0]
        and (closed or was.closed_sessions[1] == tally.closed_sessions[1])
    ):
        return None
    books = fold_more(kept.books, containers, movements)
    for session_id in sorted(closed):
        books = books.close_session(session_id)
    return books


def _follows(was: tuple[int, int], new_ids: list[int], now: tuple[int, int]) -> bool:
    """The rows counted now are the kept ones and the new ones read after them."""
    count, last = was
    return (count + len(new_ids), new_ids[-1] if new_ids else last) == now
