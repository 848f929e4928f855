"""Checking a booking: the time in the site's zone, past times, rooms, staff, the dyad, clashes
and the window (ADR 0142)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.schedule.booking import (
    BookedVisit,
    Booking,
    BookingDraft,
    Clash,
    Room,
    check_booking,
)
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.staff import Role
from mdma_at.protocols import get_protocol

VIENNA = ZoneInfo("Europe/Vienna")
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
RULES = get_protocol("mapp_v1").bookings
ROOM = Room(1, 10, "Room 1")
OTHER_ROOM = Room(2, 10, "Room 2")
T1, T2, C1 = 101, 102, 103  # two therapists and a coordinator at site 10
ROLES = {
    T1: frozenset({Role.THERAPIST}),
    T2: frozenset({Role.THERAPIST}),
    C1: frozenset({Role.COORDINATOR}),
}
NAMES = {T1: "Tess Archer", T2: "Toni Berg", C1: "Cleo Park"}
DOSING = BookedVisit(
    VisitKind.DOSING, "Dosing session 1", date(2026, 12, 10), date(2026, 12, 4), date(2026, 12, 16),
    10,
)  # fmt: skip


def check(
    starts_at: datetime = datetime(2026, 12, 10, 8, 0),
    *,
    visit: BookedVisit = DOSING,
    room: Room | None = ROOM,
    staff: tuple[int, ...] = (T1, T2),
    reason: str = "",
    clashes: tuple[Clash, ...] = (),
    rebooking: bool = False,
):  # type: ignore[no-untyped-def]
    return check_booking(
        BookingDraft(7, starts_at, room.id if room else 99, staff, reason),
        visit=visit,
        zone=VIENNA,
        now=NOW,
        rules=RULES,
        room=room,
        roles_at_site=ROLES,
        names=NAMES,
        clashes=clashes,
        rebooking=rebooking,
    )


def refused(**kwargs: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check(**kwargs)  # type: ignore[arg-type]
    return caught.value


def test_a_start_typed_in_vienna_is_stored_in_utc_and_lasts_the_protocols_eight_hours() -> None:
    booked = check()
    # IANA tz database: Europe/Vienna is UTC+1 in December (CET), so 08:00 local is 07:00 UTC;
    # MAPP1/MAPP2 experimental sessions last 8 hours (reference/clinical-facts.md [S4][S12])
    assert booked.starts_at == datetime(2026, 12, 10, 7, 0, tzinfo=UTC)
    assert booked.ends_at == datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
    assert (booked.day, booked.moves_day, booked.outside_window) == (
        date(2026, 12, 10),
        False,
        None,
    )


def test_an_integration_session_is_booked_for_ninety_minutes() -> None:
    visit = BookedVisit(
        VisitKind.INTEGRATION, "Integration 1.1", date(2026, 12, 11), date(2026, 12, 11),
        date(2026, 12, 12), 10,
    )  # fmt: skip
    booked = check(datetime(2026, 12, 11, 9, 0), visit=visit)
    # MAPP1: 90-minute integrative sessions (reference/clinical-facts.md [S1][S4])
    assert booked.ends_at - booked.starts_at == timedelta(minutes=90)


def test_a_past_time_is_refused() -> None:
    # NOW is 13:00 in Vienna on 3 December: 12:59 that day has passed
    problem = refused(starts_at=datetime(2026, 12, 3, 12, 59))
    assert problem.field == "starts_at"
    assert "has passed" in problem.reason


def test_a_room_of_another_site_is_refused() -> None:
    assert refused(room=Room(3, 11, "Elsewhere")).field == "room"
    assert refused(room=None).field == "room"


def test_a_dosing_session_needs_the_therapist_dyad() -> None:
    problem = refused(staff=(T1, C1))
    assert problem.field == "staff"
    assert "book 2 therapists (1 booked" in problem.reason
    assert refused(staff=()).field == "staff"
    assert check(staff=(T1, T2, C1)).staff == (T1, T2, C1)


def test_someone_with_no_role_at_the_site_is_refused() -> None:
    problem = refused(staff=(T1, T2, 999))
    assert (problem.field, problem.reason) == (
        "staff",
        "user 999 holds no role at the patient's site",
    )


def test_a_follow_up_visit_needs_no_dyad() -> None:
    visit = BookedVisit(
        VisitKind.FOLLOW_UP, "Follow-up 6 months", date(2026, 12, 10), date(2026, 11, 26),
        date(2026, 12, 24), 10,
    )  # fmt: skip
    assert check(visit=visit, staff=(C1,)).staff == (C1,)


def _other(start_hour: int, hours: int, room: int, staff: tuple[int, ...]) -> Clash:
    start = datetime(2026, 12, 10, start_hour, 0, tzinfo=UTC)
    booking = Booking(9, 8, start, start + timedelta(hours=hours), room, staff, C1, NOW)
    return Clash(booking, "HC-0002, Dosing session 2")


def test_a_room_booked_for_an_overlapping_time_is_refused() -> None:
    problem = refused(clashes=(_other(6, 2, ROOM.id, ()),))
    assert problem.field == "room"
    # 06:00–08:00 UTC is 07:00–09:00 in Vienna (CET, UTC+1)
    assert problem.reason == "Room 1 is booked 07:00–09:00 for HC-0002, Dosing session 2"


def test_a_person_booked_elsewhere_at_the_same_time_is_refused() -> None:
    problem = refused(clashes=(_other(10, 1, OTHER_ROOM.id, (T2,)),))
    assert problem.field == "staff"
    assert problem.reason == "Toni Berg is booked 11:00–12:00 for HC-0002, Dosing session 2"


def test_a_day_outside_the_window_needs_a_reason_and_is_then_warned() -> None:
    late = datetime(2026, 12, 17, 8, 0)  # the window ends on 16 December
    problem = refused(starts_at=late)
    assert problem.field == "reason"
    assert "outside the window of Dosing session 1, 2026-12-04–2026-12-16" in problem.reason
    booked = check(late, reason="therapist ill")
    assert booked.moves_day and booked.outside_window is not None


def test_moving_the_day_or_changing_a_booking_needs_a_reason() -> None:
    assert refused(starts_at=datetime(2026, 12, 11, 8, 0)).field == "reason"
    assert refused(rebooking=True).field == "reason"
    assert check(rebooking=True, reason="room 2 needed").reason == "room 2 needed"
