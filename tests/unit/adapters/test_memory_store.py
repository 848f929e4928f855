"""What only the in-memory store decides: two transactions at once (SQL makes the second wait on a
lock; the fake, which cannot wait, refuses the second commit instead)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mdma_at.adapters.memory.store import MemoryDatabase, Transaction
from mdma_at.adapters.memory.uow import MemoryUnitOfWork
from mdma_at.domain.audit import AuditContent, utc_stamp
from mdma_at.domain.errors import DuplicateKey, IntegrityError

AT = utc_stamp(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))


def _event(action: str) -> AuditContent:
    return AuditContent(AT, None, "test", None, None, action, "test", None, None, None, None)


def test_of_two_transactions_appending_to_the_chain_the_second_commit_is_refused() -> None:
    database = MemoryDatabase()
    with MemoryUnitOfWork(database) as first, MemoryUnitOfWork(database) as second:
        first.sites.add("SITE-A", "Harbour Clinic")
        first.audit.append(_event("first"))
        second.sites.add("SITE-B", "Hillside Clinic")
        second.audit.append(_event("second"))
        first.commit()
        with pytest.raises(IntegrityError, match="audit chain moved"):
            second.commit()
    with MemoryUnitOfWork(database) as uow:
        assert [s.code for s in uow.sites.list()] == ["SITE-A"]
        assert [e.content.action for e in uow.audit.events()] == ["first"]


def test_of_two_transactions_taking_one_unique_key_the_second_commit_is_refused() -> None:
    database = MemoryDatabase()
    with MemoryUnitOfWork(database) as first, MemoryUnitOfWork(database) as second:
        first.sites.add("SITE-A", "Harbour Clinic")
        second.sites.add("SITE-A", "Another Harbour")  # neither sees the other's row yet
        first.commit()
        with pytest.raises(DuplicateKey):
            second.commit()
    with MemoryUnitOfWork(database) as uow:
        assert [s.name for s in uow.sites.list()] == ["Harbour Clinic"]


def test_an_append_only_table_refuses_an_update_in_the_store_too() -> None:
    tx = Transaction(MemoryDatabase())
    row_id = tx.insert("dosing_session_events", {"payload": "{}"})
    with pytest.raises(IntegrityError, match="dosing_session_events is append-only: UPDATE"):
        tx.update("dosing_session_events", row_id, payload='{"changed": true}')
