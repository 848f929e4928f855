"""Demo clinic, the daily worklist (issue 14, item 2): the site's rooms, and a booking for each
active patient's next visit in the coming week, made the afternoon before by the coordinator
through the booking use case (so they pass its checks: free rooms, free people, the dyad).

Dosing sessions start at 08:00 in a dosing suite with the therapist dyad and the physician; the
dyad's preparation and integration sessions take the first free slot in the therapy room; the
assessments are the blinded rater's, in the assessment room. Today's dosing session (DEMO-004 in
the demo's relative calendar) is the first line of the worklist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.schedule.booking import DYAD_KINDS, BookingDraft
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.schedule.records import EnrolmentStatus, Visit, VisitStatus
from mdma_at.domain.staff import Principal
from mdma_at.services.access.auth import load_principal
from mdma_at.services.access.staff import add_room
from mdma_at.services.audit import Actor
from mdma_at.services.patients.bookings import book_visit
from mdma_at.services.ports import Clock, UnitOfWorkFactory

ROOMS = ("Dosing suite 1", "Dosing suite 2", "Therapy room", "Assessment room")
WEEK = timedelta(days=7)
_SLOTS = (time(9, 0), time(11, 0), time(14, 0), time(16, 30))  # the dyad's 90-minute sessions


@dataclass(frozen=True, slots=True)
class _TheDayBefore:
    """The clinic's clock at 16:00 UTC the day before `day`: the week's bookings were made then
    (a booking must start after it is made)."""

    day: date

    def now(self) -> datetime:
        return datetime.combine(self.day - timedelta(days=1), time(16, 0), tzinfo=UTC)


def seed_demo_worklist(uow: UnitOfWorkFactory, clock: Clock, actor: Actor, site_code: str) -> None:
    """Add the demo site's rooms and book the coming week's visits (patients must exist)."""
    rooms = {name: add_room(uow(), clock, actor, site_code, name).id for name in ROOMS}
    coordinator, dr, lead, partner, rater = (
        _principal(uow, name) for name in ("c.mensah", "dr.ng", "t.alvarez", "t.okafor", "r.blind")
    )
    dyad = (lead.user_id, partner.user_id)
    today = clock.now().date()
    for visit in sorted(_next_visits(uow, coordinator, today), key=lambda v: v.planned):
        options: list[tuple[time, int, tuple[int, ...]]]
        if visit.kind is VisitKind.DOSING:
            options = [(time(8, 0), rooms["Dosing suite 1"], (*dyad, dr.user_id))]
        elif visit.kind in DYAD_KINDS:
            options = [(t, rooms["Therapy room"], dyad) for t in _SLOTS]
        else:
            options = [(t, rooms["Assessment room"], (rater.user_id,)) for t in _SLOTS]
        for start, room, staff in options:
            draft = BookingDraft(visit.id, datetime.combine(visit.planned, start), room, staff)
            try:
                book_visit(uow(), _TheDayBefore(today), coordinator, draft)
            except InvalidInput:  # that slot is taken: the next one
                continue
            break


def _next_visits(uow: UnitOfWorkFactory, coordinator: Principal, today: date) -> list[Visit]:
    """Each active patient's next planned visit, when it falls in the coming week."""
    found = []
    with uow() as work:
        for patient in work.patients.search(coordinator.site_ids):
            for enrolment in work.enrolments.for_patient(patient.id)[-1:]:
                if enrolment.status is not EnrolmentStatus.ACTIVE:
                    continue
                planned = [
                    v
                    for v in work.visits.for_enrolment(enrolment.id)
                    if v.status is VisitStatus.PLANNED
                ]
                if planned and today <= planned[0].planned < today + WEEK:
                    found.append(planned[0])
    return found


def _principal(uow: UnitOfWorkFactory, username: str) -> Principal:
    with uow() as work:
        member = work.staff.by_username(username)
        assert member is not None
        return load_principal(work, member[0].id)
