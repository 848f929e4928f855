"""The daily clinic worklist (issue 14, item 2; ADR 0142): today's visits in time order with
their room and staff, the dosing sessions in progress and the check-ins due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.dosing.records import DosingSession
from mdma_at.domain.patients import Patient
from mdma_at.domain.schedule.booking import Booking
from mdma_at.domain.schedule.records import Visit
from mdma_at.domain.staff import Principal
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.site_time import zone_of_principal
from mdma_at.services.therapy.check_ins import DueCheckIn, clinic_check_ins


@dataclass(frozen=True, slots=True)
class WorklistVisit:
    patient: Patient
    visit: Visit
    booking: Booking | None  # None: planned for today, no time booked yet
    room: str
    staff: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Worklist:
    today: date
    visits: tuple[WorklistVisit, ...]  # booked ones by start time, then those with no time
    in_progress: tuple[tuple[Patient, DosingSession], ...]
    check_ins: tuple[DueCheckIn, ...]
    may_book: bool


def worklist(uow: UnitOfWork, clock: Clock, principal: Principal) -> Worklist:
    """The day's work at the principal's sites; "today" is the sites' local day."""
    today = clock.now().astimezone(zone_of_principal(uow, principal)).date()
    sites = sites_for(principal, Action.VIEW_WORKLIST)
    with uow:
        planned = uow.visits.planned_between(sites, today, today)
        bookings = {b.visit_id: b for b in uow.bookings.for_visits([v.id for _, v in planned])}
        rooms = {room.id: room.name for room in uow.bookings.rooms(sites)}
        names: dict[int, str] = {}
        for booked in bookings.values():
            for user_id in booked.staff:
                if user_id not in names and (member := uow.staff.get(user_id)) is not None:
                    names[user_id] = member.full_name
        in_progress = tuple(uow.dosing_sessions.open_at(sites_for(principal, Action.VIEW_SESSION)))
    rows = []
    for patient, visit in planned:
        booking = bookings.get(visit.id)
        rows.append(
            WorklistVisit(
                patient,
                visit,
                booking,
                rooms.get(booking.room_id, "") if booking else "",
                tuple(names.get(u, f"user {u}") for u in booking.staff) if booking else (),
            )
        )
    rows.sort(
        key=lambda r: (
            r.booking is None,
            r.booking.starts_at if r.booking else None,
            r.patient.study_id,
        )
    )
    return Worklist(
        today,
        tuple(rows),
        in_progress,
        clinic_check_ins(uow, clock, principal),
        bool(sites_for(principal, Action.BOOK_VISIT)),
    )
