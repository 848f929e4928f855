"""A dosing visit is held when its session is discharged, in the same transaction: it leaves
"Today's visits" without anyone marking it by hand (issue 14, item 2)."""

from __future__ import annotations

from datetime import timedelta

from integration.test_session_recording import (
    CHECKLIST,
    NO_RISK,
    NORMAL,
    _record,
    _screener,
    session,
)
from mdma_at.bootstrap import Container
from mdma_at.domain.dosing.records import DosingSession, EntryKind
from mdma_at.domain.schedule.records import VisitStatus
from support.clinic import Clinic

__all__ = ["session"]  # a fixture, imported to be used here


def _visit_status(ctx: Container, session: DosingSession) -> tuple[VisitStatus, object]:
    with ctx.uow() as uow:
        visit = uow.visits.get(session.visit_id)
    assert visit is not None
    return visit.status, visit.held_on


def test_the_discharge_holds_the_dosing_visit_on_the_session_day(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    t0 = session.started_at
    dr, ta = clinic.physician_a, clinic.therapist_a
    _screener(ctx, clinic, session.patient_id, NO_RISK)
    _record(ctx, dr, session, EntryKind.CHECKLIST, t0 + timedelta(minutes=5), **CHECKLIST)
    _record(ctx, ta, session, EntryKind.SUDS, t0 + timedelta(minutes=9), value="30")
    _record(ctx, ta, session, EntryKind.VITALS, t0 + timedelta(minutes=10), **NORMAL)
    dose = t0 + timedelta(minutes=15)
    assert _record(ctx, ta, session, EntryKind.REQUEST_INITIAL, dose, mg=80).entry.allowed
    assert _visit_status(ctx, session) == (VisitStatus.PLANNED, None)  # not before discharge
    recovered = dose + timedelta(hours=7, minutes=55)
    _record(ctx, ta, session, EntryKind.VITALS, recovered, **NORMAL)
    _record(ctx, ta, session, EntryKind.SUDS, recovered, value="10")
    _record(ctx, dr, session, EntryKind.CSSRS, recovered, risk="none")
    plan = {"physician_signoff": "on", "escort": "on"}
    done = _record(ctx, dr, session, EntryKind.REQUEST_DISCHARGE, dose + timedelta(hours=8), **plan)
    assert done.entry.allowed is True
    # the session started 2026-11-22 00:00 UTC (9 h before the fixed clock), a UTC site's day
    assert _visit_status(ctx, session) == (VisitStatus.HELD, t0.date())
    with ctx.uow() as uow:
        events = [e.content for e in uow.audit.events()]
    held = [e for e in events if e.action == "visit_held"]
    assert [(e.actor, e.reason) for e in held] == [("dr.a", "the dosing session was discharged")]
    # in the same transaction as the closing: the two events are adjacent in the chain
    actions = [e.action for e in events]
    assert actions[actions.index("session_closed") + 1] == "visit_held"
