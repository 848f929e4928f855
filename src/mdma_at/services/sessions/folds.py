"""The fold of a session kept between requests, so a write or a console poll folds only the
entries recorded since, not the whole session (issue 18, item 3; ADR 0203).

`folded_session` answers exactly what `fold` over every stored entry answers: the entries are
append-only, kept in id order, and a fold is a left fold (`fold_more`), so the kept fold carried
on over the entries after it is the full replay. It keeps no fold it cannot vouch for, and falls
back to the full replay whenever what it kept does not line up with the database:

- kept from another start (the session's fixed facts, the patient's sex or the rules differ);
- the entries counted in the database are not the kept ones plus the new ones read after it, or
  the highest id is not the last one read (entries gone, e.g. a restore, or a writer between the
  two reads);
- read by a transaction that appended to the session itself (what it read may be rolled back).

The folds live in this process's memory, one store per database, bounded; nothing depends on
them but speed: another worker, a restart or an eviction only means one full replay.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from mdma_at.domain.dosing import DosingRules
from mdma_at.domain.dosing.entries import Folded, fold, fold_more
from mdma_at.domain.dosing.records import DosingSession
from mdma_at.services.ports import KeptFold, SessionFolds, UnitOfWork

#: Sessions whose fold a process keeps (least recently used dropped first): a clinic day's
#: open sessions many times over; a fold of 1,000 entries is a few MB at most.
CAPACITY = 256


class FoldStore(SessionFolds):
    """The kept folds of one database's sessions, shared by the threads of one process."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._kept: OrderedDict[int, KeptFold] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: int) -> KeptFold | None:
        with self._lock:
            kept = self._kept.get(session_id)
            if kept is not None:
                self._kept.move_to_end(session_id)
            return kept

    def keep(self, session_id: int, kept: KeptFold) -> None:
        with self._lock:
            current = self._kept.get(session_id)
            if current is not None and current.count > kept.count:
                return  # a slower reader of an older state: keep the newer fold
            self._kept[session_id] = kept
            self._kept.move_to_end(session_id)
            while len(self._kept) > self._capacity:
                self._kept.popitem(last=False)


def folded_session(uow: UnitOfWork, session: DosingSession, sex: str, rules: DosingRules) -> Folded:
    """``fold(session, sex, uow.session_entries.for_session(session.id), rules)``, from the
    kept fold when it lines up with the database (inside the caller's transaction)."""
    entries = uow.session_entries
    basis: tuple[object, ...] = (
        session.session_number,
        session.weight_kg,
        session.childbearing_potential,
        sex,
        rules,
    )
    kept = uow.folds.get(session.id)
    folded: Folded | None = None
    if kept is not None and kept.basis == basis:
        count, last = entries.tally(session.id)
        if (count, last) == (kept.count, kept.last_id):
            folded = kept.folded  # nothing recorded since (a poll, mostly)
        else:
            new = entries.after(session.id, kept.last_id)
            if new and (count, last) == (kept.count + len(new), new[-1].id):
                folded = fold_more(kept.folded, new, rules)
    if folded is None:  # nothing kept, or not in line with the database: the full replay
        folded = fold(session, sex, entries.for_session(session.id), rules)
    if session.id not in entries.appended_to():
        last_id = folded.steps[-1][0].id if folded.steps else 0
        uow.folds.keep(session.id, KeptFold(basis, folded, len(folded.steps), last_id))
    return folded
