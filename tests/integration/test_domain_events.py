"""Domain events through the SQL unit of work (ADR 0009), on SQLite and PostgreSQL: handlers hear
of an event only after the commit that stored it, each in its own unit of work; a rollback emits
nothing; a failing handler never undoes the write. The paging subscribes: a critical reading's
page is queued by its handler at once, before any pass of the worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from integration.test_session_recording import (  # the same session the recording tests use
    CRITICAL,
    MODERATE_RISK,
    NORMAL,
    _screener,
    session,
)
from mdma_at.adapters.db.uow import SqlUnitOfWork
from mdma_at.bootstrap import Container, bootstrap
from mdma_at.domain.dosing.records import DosingSession, EntryKind, NewEntry
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.events import AlertRaised, DomainEvent, ScreeningSigned
from mdma_at.domain.vocabulary import AlertLevel
from mdma_at.services.access.staff import set_on_call
from mdma_at.services.alerts.paging import queue_pages
from mdma_at.services.events import MessageBus
from mdma_at.services.ports import Page
from mdma_at.services.sessions.recording import record_entry
from support.clinic import OPERATOR, Clinic
from support.db import row_counts

__all__ = ["session"]  # a fixture, imported to be used here

SIGNED = ScreeningSigned(1, 1, "eligible", False)  # any event: these handlers only listen
# Never contacted: the worker is not started here, and queueing a page sends nothing.
PAGER_URL = "http://127.0.0.1:9/pager"


def _sites(ctx: Container) -> list[str]:
    with ctx.uow() as uow:
        return [site.code for site in uow.sites.list()]


def _audited(ctx: Container, action: str) -> list[str | None]:
    with ctx.uow() as uow:
        return [e.content.after for e in uow.audit.events() if e.content.action == action]


@pytest.fixture
def bus(ctx: Container) -> MessageBus:
    return MessageBus(ctx.uow, ctx.clock)


def test_a_handler_hears_of_an_event_after_the_commit_in_its_own_unit_of_work(
    ctx: Container, bus: MessageBus
) -> None:
    seen: list[tuple[DomainEvent, list[str]]] = []
    bus.subscribe(ScreeningSigned, lambda event: seen.append((event, _sites(ctx))))
    with SqlUnitOfWork(ctx.engine, None, bus.dispatch) as uow:
        uow.sites.add("EV-1", "Events Clinic")
        uow.emit(SIGNED)
        assert tuple(uow.collected_events()) == (SIGNED,)
        uow.commit()
        assert seen == []  # not while the block is open, even committed
    # The handler read the committed site through a unit of work of its own.
    assert seen == [(SIGNED, ["EV-1"])]


def test_a_rollback_or_an_exception_before_the_commit_emits_nothing(
    ctx: Container, bus: MessageBus
) -> None:
    heard: list[DomainEvent] = []
    bus.subscribe(ScreeningSigned, heard.append)
    with SqlUnitOfWork(ctx.engine, None, bus.dispatch) as uow:  # left without a commit
        uow.sites.add("EV-2", "Never Clinic")
        uow.emit(SIGNED)
    with pytest.raises(RuntimeError), SqlUnitOfWork(ctx.engine, None, bus.dispatch) as uow:
        uow.sites.add("EV-3", "Never Clinic")
        uow.emit(SIGNED)
        raise RuntimeError("the use case failed before its commit")
    assert heard == [] and _sites(ctx) == []


def test_nested_blocks_share_the_transaction_and_dispatch_once_when_the_outer_one_ends(
    ctx: Container, bus: MessageBus
) -> None:
    heard: list[DomainEvent] = []
    bus.subscribe(ScreeningSigned, heard.append)
    with SqlUnitOfWork(ctx.engine, None, bus.dispatch) as outer:
        with outer as inner:  # a service calling another service with the same unit of work
            inner.sites.add("EV-4", "Nested Clinic")
            inner.emit(SIGNED)
            inner.commit()
        assert heard == []
    assert heard == [SIGNED]


def test_a_failing_handler_never_undoes_the_write_and_is_audited(
    ctx: Container, bus: MessageBus
) -> None:
    heard: list[DomainEvent] = []

    def broken(event: ScreeningSigned) -> None:
        raise RuntimeError("the register's printer is on fire")

    bus.subscribe(ScreeningSigned, broken)
    bus.subscribe(ScreeningSigned, heard.append)
    with SqlUnitOfWork(ctx.engine, None, bus.dispatch) as uow:
        uow.sites.add("EV-5", "Sturdy Clinic")
        uow.emit(SIGNED)
        uow.commit()  # returns normally: the caller never sees the handler's failure
    assert _sites(ctx) == ["EV-5"] and heard == [SIGNED]
    (failure,) = _audited(ctx, "event_handler_failed")
    assert failure is not None and "the register's printer is on fire" in failure


# --- the paging subscribes ---


@pytest.fixture
def paging(ctx: Container, clinic: Clinic) -> Iterator[Container]:
    """The clinic's server as configured with a pager webhook, its worker not running: only the
    handlers can have queued a page."""
    set_on_call(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", name="Dr Ayodele", email=None)
    server = bootstrap(
        ctx.settings.model_copy(update={"page_webhook_url": PAGER_URL}), clock=ctx.clock
    )
    yield server
    server.engine.dispose()


def _pages(ctx: Container) -> list[Page]:
    with ctx.uow() as uow:
        return list(uow.pages.due(ctx.clock.now()))


def test_a_critical_reading_queues_its_page_through_the_handler(
    paging: Container, clinic: Clinic, session: DosingSession
) -> None:
    t0 = session.started_at
    record_entry(
        paging.uow(),
        paging.clock,
        clinic.therapist_a,
        session.id,
        EntryKind.VITALS,
        NORMAL,
        (t0 + timedelta(minutes=10)).isoformat(),
    )
    assert _pages(paging) == []  # nothing critical: nobody paged
    # 182/104: systolic ≥ 180 is a hypertensive crisis (ACC/AHA 2017), critical (DESIGN.md §4).
    record_entry(
        paging.uow(),
        paging.clock,
        clinic.therapist_a,
        session.id,
        EntryKind.VITALS,
        CRITICAL,
        (t0 + timedelta(minutes=20)).isoformat(),
    )
    (page,) = _pages(paging)  # queued, due now, for the worker to send
    assert (page.cause, page.channel, page.status) == ("critical_vitals", "webhook", "pending")
    assert page.session_id == session.id and "systolic 182" in page.message
    assert len(_audited(paging, "page_queued")) == 1
    # The worker's pass finds the page already queued and queues no second one.
    assert queue_pages(paging.uow(), paging.clock, paging.notifiers) == []


def test_an_escalation_and_a_safety_alert_queue_their_pages_through_the_handlers(
    paging: Container, clinic: Clinic, session: DosingSession
) -> None:
    at = (session.started_at + timedelta(minutes=30)).isoformat()
    record_entry(
        paging.uow(),
        paging.clock,
        clinic.therapist_a,
        session.id,
        EntryKind.ESCALATE,
        {"note": "patient agitated"},
        at,
    )
    # C-SSRS screener, yes to items 1-3: moderate risk, a safety alert (issue 4 triage).
    _screener(paging, clinic, session.patient_id, MODERATE_RISK)
    causes = sorted(p.cause for p in _pages(paging))
    assert causes == ["escalation", "safety_alert"]


def test_a_rolled_back_critical_reading_pages_nobody(
    paging: Container, clinic: Clinic, session: DosingSession
) -> None:
    url = paging.settings.database_url
    before = row_counts(url)
    t = session.started_at + timedelta(minutes=20)
    with pytest.raises(RuntimeError), paging.uow() as uow:
        entry = uow.session_entries.append(
            session.id, NewEntry(t, EntryKind.VITALS, dict(CRITICAL)), None, "x", None, t
        )
        uow.emit(AlertRaised(session.id, session.patient_id, entry.id, t, AlertLevel.CRITICAL, ()))
        raise RuntimeError("the transaction failed before its commit")
    # A refused reading (in the future) stores nothing and raises nothing either.
    with pytest.raises(InvalidInput):
        record_entry(
            paging.uow(),
            paging.clock,
            clinic.therapist_a,
            session.id,
            EntryKind.VITALS,
            CRITICAL,
            (paging.clock.now() + timedelta(minutes=1)).isoformat(),
        )
    assert row_counts(url) == before and _pages(paging) == []
