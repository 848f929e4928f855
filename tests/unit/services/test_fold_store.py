"""The store of kept session folds (services.sessions.folds): the newer fold stays, the least
recently used goes first when it is full. (That a kept fold equals the full replay is proven on
every adapter in tests/contract/test_session_folds.py.)"""

from __future__ import annotations

from datetime import UTC, datetime

from mdma_at.domain.dosing.entries import Folded, begin
from mdma_at.domain.dosing.records import DosingSession, SessionStatus
from mdma_at.protocols import get_protocol
from mdma_at.services.ports import KeptFold
from mdma_at.services.sessions.folds import FoldStore

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
SESSION = DosingSession(1, 1, 1, "mapp_v1", 1, T0, None, False, 64.0, SessionStatus.OPEN)
EMPTY = Folded(begin(SESSION, "female", get_protocol("mapp_v1").dosing), ())


def test_the_store_keeps_the_newer_fold_and_forgets_the_least_used() -> None:
    store = FoldStore(capacity=2)
    store.keep(1, KeptFold((), EMPTY, 5, 50))
    store.keep(1, KeptFold((), EMPTY, 4, 40))  # an older read: the newer stays
    assert (kept := store.get(1)) is not None and kept.count == 5
    store.keep(2, KeptFold((), EMPTY, 1, 1))
    store.get(1)  # 1 used last: 2 goes first
    store.keep(3, KeptFold((), EMPTY, 1, 2))
    assert store.get(2) is None and store.get(1) is not None and store.get(3) is not None
