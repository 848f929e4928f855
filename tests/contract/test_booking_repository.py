"""Rooms and visit bookings: what the booking form, its clash checks and the worklist rely on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, audit, enrol, seed
from mdma_at.domain.errors import DuplicateKey

HOUR = timedelta(hours=1)


def test_rooms_belong_to_a_site_listed_by_name(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        two = uow.bookings.add_room(s.site_a.id, "Room 2")
        one = uow.bookings.add_room(s.site_a.id, "Room 1")
        other = uow.bookings.add_room(s.site_b.id, "Room 1")
        audit(uow, "rooms_added")
        uow.commit()
    with new_uow() as uow:
        assert list(uow.bookings.rooms(frozenset({s.site_a.id}))) == [one, two]
        assert list(uow.bookings.rooms(frozenset({s.site_a.id, s.site_b.id}))) == [one, two, other]
        assert uow.bookings.room(other.id) == other
        assert uow.bookings.room(999) is None


def test_a_room_name_repeated_at_a_site_is_a_duplicate_key(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        uow.bookings.add_room(s.site_a.id, "Room 1")
        with pytest.raises(DuplicateKey):
            uow.bookings.add_room(s.site_a.id, "Room 1")


def test_a_booking_is_stored_rebooked_in_place_and_found_by_overlap(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        room = uow.bookings.add_room(s.site_a.id, "Room 1")
        _, visit = enrol(uow, s.patient)
        _, other_visit = enrol(uow, s.other)
        first = uow.bookings.book(
            visit.id, T0, T0 + 8 * HOUR, room.id, (s.therapist.id, s.physician.id),
            s.physician.id, T0 - HOUR,
        )  # fmt: skip
        audit(uow, "booked")
        uow.commit()
    assert (first.starts_at, first.ends_at) == (T0, T0 + 8 * HOUR)
    assert first.staff == (s.therapist.id, s.physician.id)
    with new_uow() as uow:
        assert uow.bookings.for_visit(visit.id) == first
        later = uow.bookings.book(
            visit.id, T0 + HOUR, T0 + 9 * HOUR, room.id, (s.therapist.id,), s.physician.id, T0
        )
        early = uow.bookings.book(
            other_visit.id, T0 - 2 * HOUR, T0 - HOUR, room.id, (), s.physician.id, T0
        )
        audit(uow, "rebooked")
        uow.commit()
    with new_uow() as uow:
        assert later.id == first.id  # one booking per visit, changed in place
        assert uow.bookings.for_visit(visit.id) == later
        assert list(uow.bookings.for_visits([visit.id, other_visit.id])) == [early, later]
        assert uow.bookings.for_visits([]) == []
        # overlap is strict: a booking ending at 09:00 does not overlap one starting then
        assert list(uow.bookings.overlapping(T0 - HOUR, T0 + 2 * HOUR)) == [later]
        assert list(uow.bookings.overlapping(T0 - 3 * HOUR, T0 + 2 * HOUR)) == [early, later]
        assert uow.bookings.overlapping(T0 + 9 * HOUR, T0 + 10 * HOUR) == []


def test_booking_a_visit_twice_in_one_transaction_keeps_one_row(
    new_uow: UowFactory,
) -> None:
    with new_uow() as uow:
        s = seed(uow)
        room = uow.bookings.add_room(s.site_a.id, "Room 1")
        _, visit = enrol(uow, s.patient)
        uow.bookings.book(visit.id, T0, T0 + HOUR, room.id, (), s.physician.id, T0)
        uow.bookings.book(visit.id, T0 + HOUR, T0 + 2 * HOUR, room.id, (), s.physician.id, T0)
        assert len(uow.bookings.for_visits([visit.id])) == 1
