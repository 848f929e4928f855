"""Dosing sessions, their append-only entries, and the pages sent about them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, enrol, seed
from mdma_at.domain.dosing.records import EntryKind, NewEntry, SessionStatus
from mdma_at.domain.errors import DuplicateKey


def test_sessions_one_per_visit_opened_and_closed(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        _, visit = enrol(uow, s.patient)
        _, other_visit = enrol(uow, s.other)
        session = uow.dosing_sessions.add(
            s.patient.id, visit.id, "mapp_v1", 1, T0, s.therapist.id, True, 71.25
        )
        other = uow.dosing_sessions.add(
            s.other.id, other_visit.id, "mapp_v1", 1, T0 - timedelta(hours=1), None, False, None
        )
        uow.commit()
    with new_uow() as uow:
        assert session.weight_kg == 71.25 and other.weight_kg is None
        assert uow.dosing_sessions.get(session.id) == session
        assert uow.dosing_sessions.lock(session.id) == session
        assert uow.dosing_sessions.for_visit(visit.id) == session
        assert uow.dosing_sessions.for_visit(999) is None and uow.dosing_sessions.get(999) is None
        assert uow.dosing_sessions.for_patient(s.patient.id) == [session]
        both = frozenset({s.site_a.id, s.site_b.id})
        assert [x.id for _, x in uow.dosing_sessions.open_at(both)] == [other.id, session.id]
        closed = uow.dosing_sessions.close(session.id, T0 + timedelta(hours=8))
        assert (closed.status, closed.closed_at) == (SessionStatus.CLOSED, T0 + timedelta(hours=8))
        assert [p.id for p, _ in uow.dosing_sessions.open_at(both)] == [s.other.id]


def test_a_second_session_for_a_visit_is_a_duplicate_key(new_uow: UowFactory) -> None:
    with pytest.raises(DuplicateKey), new_uow() as uow:
        s = seed(uow)
        _, visit = enrol(uow, s.patient)
        uow.dosing_sessions.add(s.patient.id, visit.id, "mapp_v1", 1, T0, None, False, None)
        uow.dosing_sessions.add(s.patient.id, visit.id, "mapp_v1", 1, T0, None, False, None)


def test_entries_come_back_in_the_order_recorded_as_stored(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        _, visit = enrol(uow, s.patient)
        session = uow.dosing_sessions.add(s.patient.id, visit.id, "mapp_v1", 1, T0, None, False, 70)
        later = NewEntry(T0 + timedelta(minutes=30), EntryKind.VITALS, {"systolic": 130})
        earlier = NewEntry(
            T0, EntryKind.REQUEST_INITIAL, {"dose_mg": 120}, False, ("bp: too high [source]",)
        )
        appended = [
            uow.session_entries.append(session.id, entry, s.therapist.id, "Tess", "therapist", T0)
            for entry in (later, earlier)
        ]
        uow.commit()
    with new_uow() as uow:
        stored = uow.session_entries.for_session(session.id)
        assert stored == appended  # in the order recorded, not by their clinical time
        assert (stored[1].allowed, stored[1].reasons) == (False, ("bp: too high [source]",))
        assert stored[0].reasons == ()
        assert uow.session_entries.for_session(999) == []


def test_pages_due_updated_and_found(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        page = {"site_id": s.site_a.id, "patient_id": s.patient.id, "cause": "bp", "message": "m"}
        first = uow.pages.add(
            **page,
            session_id=None,
            safety_alert_id=None,
            alert_key="k1",
            channel="email",
            recipient="dr@example.org",
            created_at=T0,
        )
        second = uow.pages.add(
            **page,
            session_id=None,
            safety_alert_id=None,
            alert_key="k1",
            channel="webhook",
            recipient="https://example.org/hook",
            created_at=T0 + timedelta(minutes=5),
        )
        uow.commit()
    with new_uow() as uow:
        assert (first.status, first.attempts, first.next_attempt_at) == ("pending", 0, T0)
        assert [p.id for p in uow.pages.due(T0)] == [first.id]
        assert [p.id for p in uow.pages.due(T0 + timedelta(minutes=5))] == [first.id, second.id]
        sent = uow.pages.update(first.id, status="sent", attempts=1, sent_at=T0)
        assert (sent.status, sent.sent_at) == ("sent", T0)
        assert [p.id for p in uow.pages.due(T0 + timedelta(hours=1))] == [second.id]
        assert [p.id for p in uow.pages.for_key("k1")] == [first.id, second.id]
        assert uow.pages.for_key("k2") == [] and uow.pages.get(999) is None
        assert uow.pages.for_session(1) == [] and uow.pages.for_safety_alerts([]) == []


def test_a_due_page_is_taken_for_sending_by_one_worker_only(new_uow: UowFactory) -> None:
    lease = T0 + timedelta(minutes=1)
    with new_uow() as uow:
        s = seed(uow)
        page = uow.pages.add(
            site_id=s.site_a.id,
            patient_id=s.patient.id,
            session_id=None,
            safety_alert_id=None,
            alert_key="k1",
            cause="bp",
            message="m",
            channel="email",
            recipient="dr@example.org",
            created_at=T0,
        )
        uow.commit()
    with new_uow() as uow:
        uow.pages.hold_queue()  # serialises queueing; harmless here
        seen = uow.pages.due(T0)[0].next_attempt_at
        assert seen == T0
        assert uow.pages.claim(page.id, seen, lease) is True
        # A second worker that read the same due page before the first took it: refused.
        assert uow.pages.claim(page.id, seen, lease) is False
        taken = uow.pages.get(page.id)
        assert taken is not None and (taken.status, taken.next_attempt_at) == ("pending", lease)
        assert uow.pages.due(T0 + timedelta(seconds=30)) == []  # leased, not due
        uow.pages.update(page.id, status="sent", attempts=1, sent_at=T0, next_attempt_at=None)
        assert uow.pages.claim(page.id, lease, lease) is False  # a sent page is never retaken
        uow.commit()
