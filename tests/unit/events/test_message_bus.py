"""The message bus and the collection of events in a unit of work (ADR 0009): events reach their
handlers by type, only once committed, and a failing handler neither stops the others nor
reaches the caller; its failure is audited."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import pytest

from mdma_at.domain.audit import AuditContent
from mdma_at.domain.events import (
    DomainEvent,
    SafetyAlertAcknowledged,
    SafetyAlertOpened,
    ScreeningSigned,
)
from mdma_at.services.events import EventCollector, MessageBus
from support.clock import FixedClock

OPENED = SafetyAlertOpened(7, 3, "critical", "phq9_item9")
SIGNED = ScreeningSigned(11, 3, "eligible", False)


class _AuditTrail:
    """An in-memory audit log: what the bus appends when a handler fails."""

    def __init__(self) -> None:
        self.appended: list[AuditContent] = []
        self.committed: list[AuditContent] = []

    def append(self, content: AuditContent) -> AuditContent:
        self.appended.append(content)
        return content


class _AuditOnlyUnitOfWork:
    """A fake unit of work holding only the audit log (all the bus itself writes to)."""

    def __init__(self, trail: _AuditTrail) -> None:
        self.audit = trail
        self._start = len(trail.appended)

    def __enter__(self) -> _AuditOnlyUnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        del self.audit.appended[len(self.audit.committed) :]  # what was not committed is gone

    def commit(self) -> None:
        self.audit.committed = list(self.audit.appended)


def _bus(trail: _AuditTrail) -> MessageBus:
    return MessageBus(lambda: _AuditOnlyUnitOfWork(trail), FixedClock())  # type: ignore[arg-type,return-value]


def test_each_event_reaches_the_handlers_of_its_type_in_the_order_they_subscribed() -> None:
    heard: list[tuple[str, DomainEvent]] = []
    bus = _bus(_AuditTrail())
    bus.subscribe(SafetyAlertOpened, lambda e: heard.append(("first", e)))
    bus.subscribe(SafetyAlertOpened, lambda e: heard.append(("second", e)))
    bus.subscribe(ScreeningSigned, lambda e: heard.append(("signed", e)))
    bus.dispatch([OPENED, SafetyAlertAcknowledged(7, 3), SIGNED])
    assert heard == [("first", OPENED), ("second", OPENED), ("signed", SIGNED)]


def test_a_failing_handler_is_logged_and_audited_and_the_next_handler_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    trail = _AuditTrail()
    heard: list[DomainEvent] = []

    def broken(event: SafetyAlertOpened) -> None:
        raise RuntimeError("the pager gateway refused the login")

    bus = _bus(trail)
    bus.subscribe(SafetyAlertOpened, broken)
    bus.subscribe(SafetyAlertOpened, heard.append)
    bus.dispatch([OPENED])  # never raises into the caller: the write is already committed
    assert heard == [OPENED]
    (audited,) = trail.committed
    assert audited.action == "event_handler_failed" and audited.actor == "system"
    assert audited.entity_id == "SafetyAlertOpened"
    assert audited.after is not None and "the pager gateway refused the login" in audited.after
    assert "broken" in audited.after
    assert any("broken" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_when_even_the_audit_fails_the_bus_still_does_not_raise() -> None:
    def no_database() -> Any:
        raise ConnectionError("database unreachable")

    bus = MessageBus(no_database, FixedClock())
    bus.subscribe(ScreeningSigned, lambda e: 1 / 0)
    bus.dispatch([SIGNED])


def test_events_wait_for_the_commit_and_a_rollback_drops_only_what_was_not_committed() -> None:
    collector = EventCollector()
    collector.emit(OPENED)
    assert collector.collected() == (OPENED,)
    assert collector.take_committed() == []  # not committed: nothing to dispatch
    collector.committed()
    collector.emit(SIGNED)
    collector.rolled_back()  # the rollback after the commit drops only the later event
    assert collector.collected() == (OPENED,)
    assert collector.take_committed() == [OPENED]
    assert collector.take_committed() == []  # dispatched once


def test_a_rolled_back_unit_of_work_has_nothing_to_dispatch() -> None:
    collector = EventCollector()
    collector.emit(OPENED)
    collector.emit(SIGNED)
    collector.rolled_back()
    assert collector.collected() == () and collector.take_committed() == []


def test_events_are_frozen_facts() -> None:
    with pytest.raises(AttributeError):
        OPENED.level = "caution"  # type: ignore[misc]
    assert SafetyAlertOpened(7, 3, "critical", "phq9_item9") == OPENED
