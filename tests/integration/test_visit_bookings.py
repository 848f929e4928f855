"""Booking visits for a time, a room and their staff, and the daily clinic worklist, through the
real services, pages and API (issue 14, item 2; ADR 0142). Refusals prove both halves: the field
and reason, and nothing stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from mdma_at.bootstrap import Container
from mdma_at.domain.errors import InvalidInput, PermissionDenied
from mdma_at.domain.schedule.booking import BookingDraft, Room
from mdma_at.domain.staff import Principal, Role
from mdma_at.entrypoints.api.app import create_app
from mdma_at.services.access.auth import issue_api_token
from mdma_at.services.access.staff import add_room, add_user
from mdma_at.services.patients import bookings, registry, schedule
from mdma_at.services.worklist import worklist
from support.clinic import OPERATOR, PASSWORD, Clinic, register
from support.db import last_audit_action, row_counts
from support.web import signed_in

# The test clock reads 2026-11-22 09:00 UTC; SITE-A keeps UTC. Enrolled a week earlier, the
# first preparation session's target is today (mapp_v1: enrolment + 7 days, window ± 7 days).
ENROLLED = date(2026, 11, 15)
TODAY = date(2026, 11, 22)


@dataclass
class Setting:
    rooms: tuple[Room, Room]
    dyad: tuple[int, int]
    first: dict[str, int]  # visit code -> ID, HC-0001
    second: dict[str, int]  # visit code -> ID, HC-0002


def _enrolled(ctx: Container, clinic: Clinic, study_id: str) -> tuple[int, dict[str, int]]:
    patient = register(ctx, clinic, study_id)
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ENROLLED
    )
    return patient.id, {v.code: v.id for v in visits}


@pytest.fixture
def setting(ctx: Container, clinic: Clinic) -> Setting:
    second_therapist = add_user(
        ctx.uow(), ctx.clock, ctx.hasher, OPERATOR, username="t2.a", full_name="T2.A",
        password=PASSWORD, grants=[("SITE-A", Role.THERAPIST)],
    )  # fmt: skip
    rooms = (
        add_room(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", "Room 1"),
        add_room(ctx.uow(), ctx.clock, OPERATOR, "SITE-A", "Room 2"),
    )
    _, first = _enrolled(ctx, clinic, "HC-0001")
    _, second = _enrolled(ctx, clinic, "HC-0002")
    return Setting(rooms, (clinic.therapist_a.user_id, second_therapist.id), first, second)


def _book(
    ctx: Container, who: Principal, visit_id: int, at: datetime, room: Room,
    staff: tuple[int, ...], reason: str = "",
) -> bookings.Booked:  # fmt: skip
    return bookings.book_visit(
        ctx.uow(), ctx.clock, who, BookingDraft(visit_id, at, room.id, staff, reason)
    )


def test_booked_visits_show_on_the_worklist_in_time_order_with_room_and_staff(
    ctx: Container, clinic: Clinic, setting: Setting
) -> None:
    room1, room2 = setting.rooms
    late = _book(ctx, clinic.coordinator_a, setting.first["prep1"], datetime(2026, 11, 22, 15, 0),
                 room1, setting.dyad)  # fmt: skip
    assert last_audit_action(ctx.settings.database_url) == "visit_booked"
    early = _book(ctx, clinic.physician_a, setting.second["prep1"], datetime(2026, 11, 22, 10, 0),
                  room2, setting.dyad)  # fmt: skip
    day = worklist(ctx.uow(), ctx.clock, clinic.therapist_a)
    assert day.today == TODAY
    # 10:00 before 15:00, whatever order they were booked in
    assert [(r.patient.study_id, r.room, r.staff) for r in day.visits] == [
        ("HC-0002", "Room 2", ("T.A", "T2.A")),
        ("HC-0001", "Room 1", ("T.A", "T2.A")),
    ]
    assert [r.booking for r in day.visits] == [early.booking, late.booking]
    # 90 minutes for a preparation session (protocol data; MAPP1's non-drug sessions [S1][S4])
    assert late.booking.ends_at == datetime(2026, 11, 22, 16, 30, tzinfo=UTC)
    rows = registry.patient_list(ctx.uow(), ctx.clock, clinic.coordinator_a)
    assert {r.patient.study_id: r.next_booking for r in rows}["HC-0001"] == late.booking


def test_a_double_booked_room_or_person_is_refused_and_nothing_is_stored(
    ctx: Container, clinic: Clinic, setting: Setting
) -> None:
    room1, room2 = setting.rooms
    _book(ctx, clinic.coordinator_a, setting.first["prep1"], datetime(2026, 11, 22, 14, 0),
          room1, setting.dyad)  # fmt: skip
    before = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput) as room_taken:
        _book(ctx, clinic.coordinator_a, setting.second["prep1"], datetime(2026, 11, 22, 15, 0),
              room1, setting.dyad)  # fmt: skip
    assert room_taken.value.field == "room"
    assert "Room 1 is booked 14:00–15:30 for HC-0001, Preparation 1" in room_taken.value.reason
    with pytest.raises(InvalidInput) as person_taken:
        _book(ctx, clinic.coordinator_a, setting.second["prep1"], datetime(2026, 11, 22, 15, 0),
              room2, setting.dyad)  # fmt: skip
    assert person_taken.value.field == "staff"
    assert row_counts(ctx.settings.database_url) == before
    # right after the first ends (15:30), the same room and people are free
    _book(ctx, clinic.coordinator_a, setting.second["prep1"], datetime(2026, 11, 22, 15, 30),
          room1, setting.dyad)  # fmt: skip


def test_a_past_time_a_missing_dyad_and_a_move_without_reason_are_refused(
    ctx: Container, clinic: Clinic, setting: Setting
) -> None:
    room1, _ = setting.rooms
    before = row_counts(ctx.settings.database_url)
    cases = [
        (datetime(2026, 11, 22, 8, 0), setting.dyad, "starts_at"),  # 08:00 < 09:00 now
        (datetime(2026, 11, 22, 14, 0), setting.dyad[:1], "staff"),
        (datetime(2026, 11, 24, 14, 0), setting.dyad, "reason"),  # another day, no reason
        (datetime(2026, 11, 30, 14, 0), setting.dyad, "reason"),  # outside the window
    ]
    for at, staff, field in cases:
        with pytest.raises(InvalidInput) as refused:
            _book(ctx, clinic.coordinator_a, setting.first["prep1"], at, room1, staff)
        assert refused.value.field == field, (at, refused.value)
    assert row_counts(ctx.settings.database_url) == before


def test_booking_another_day_moves_the_visit_and_replans_what_follows(
    ctx: Container, clinic: Clinic, setting: Setting
) -> None:
    room1, _ = setting.rooms
    at = datetime(2026, 11, 24, 14, 0)
    booked = _book(ctx, clinic.coordinator_a, setting.first["prep1"], at, room1, setting.dyad,
                   "patient's request")  # fmt: skip
    assert booked.moved is not None and booked.moved.visit.planned == date(2026, 11, 24)
    # prep2 follows prep1 by 7 days (mapp_v1 schedule): 24 Nov + 7 = 1 Dec
    assert {v.code: v.planned for v in booked.moved.changed}["prep2"] == date(2026, 12, 1)
    assert booked.outside_window is None
    # a booked visit moves through its booking, never the date form (the time would be stale)
    with pytest.raises(InvalidInput) as refused:
        schedule.reschedule_visit(ctx.uow(), ctx.clock, clinic.coordinator_a,
                                  setting.first["prep1"], date(2026, 11, 25), "later")  # fmt: skip
    assert refused.value.field == "date"


def test_a_therapist_may_not_book(ctx: Container, clinic: Clinic, setting: Setting) -> None:
    with pytest.raises(PermissionDenied):
        _book(ctx, clinic.therapist_a, setting.first["prep1"], datetime(2026, 11, 22, 14, 0),
              setting.rooms[0], setting.dyad)  # fmt: skip


def test_the_booking_form_books_from_the_worklist_and_a_bad_time_is_refused_on_the_page(
    ctx: Container, clinic: Clinic, setting: Setting
) -> None:
    room1, _ = setting.rooms
    visit = setting.first["prep1"]
    patient_id = registry.patient_list(ctx.uow(), ctx.clock, clinic.coordinator_a, "HC-0001")[
        0
    ].patient.id
    url = f"/patients/{patient_id}/visits/{visit}/booking"
    fields = {
        "starts_at": "2026-11-22T13:00",
        "room": str(room1.id),
        **{f"staff-{u}": "on" for u in setting.dyad},
        "back": "worklist",
    }
    with TestClient(create_app(ctx)) as client:
        csrf = signed_in(client, "c.a")
        listed = client.get("/worklist").text
        assert "no time booked" in listed and f'href="{url}?back=worklist"' in listed
        before = row_counts(ctx.settings.database_url)
        bad = client.post(url, data={**fields, "starts_at": "tomorrow", "csrf_token": csrf})
        assert bad.status_code == 422
        assert "starts_at" in bad.text and "is not a date and time" in bad.text
        for field, value in (("room", "99999999999"), ("staff-99999999999", "on")):
            odd = client.post(url, data={**fields, field: value, "csrf_token": csrf})
            assert odd.status_code == 422 and "is not one of the choices offered" in odd.text
        assert row_counts(ctx.settings.database_url) == before
        done = client.post(url, data={**fields, "csrf_token": csrf}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"].startswith("/worklist?")
        page = client.get(done.headers["location"]).text
        row = re.search(r'<tr data-patient="HC-0001".*?</tr>', page, re.S)
        assert row is not None
        assert all(text in row.group(0) for text in ("13:00–14:30", "Room 1", "T.A, T2.A"))
        assert "Preparation 1 booked for 22 Nov 2026 13:00, Room 1." in page
        listed = client.get("/patients", params={"q": "HC-0001"}).text
        assert "Preparation 1 · 22 Nov 2026 13:00" in listed  # the next visit with its time


def test_the_api_books_and_refuses_a_past_time_with_the_field(
    ctx: Container, clinic: Clinic, setting: Setting
) -> None:
    room1, _ = setting.rooms
    visit = setting.first["prep1"]
    token, _ = issue_api_token(ctx.uow(), ctx.clock, OPERATOR, "c.a", "booking test")
    auth = {"Authorization": f"Bearer {token}"}
    body = {"starts_at": "2026-11-22T07:00", "room_id": room1.id, "staff": list(setting.dyad)}
    with TestClient(create_app(ctx)) as client:
        before = row_counts(ctx.settings.database_url)
        refused = client.post(f"/api/visits/{visit}/booking", json=body, headers=auth)
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["field"] == "starts_at"
        assert row_counts(ctx.settings.database_url) == before
        booked = client.post(
            f"/api/visits/{visit}/booking", json={**body, "starts_at": "2026-11-22T16:00"},
            headers=auth,
        )  # fmt: skip
        assert booked.status_code == 201, booked.text
        assert booked.json()["booking"]["ends_at"].startswith("2026-11-22T17:30")
        day = client.get("/api/worklist", headers=auth).json()
        assert next((v["study_id"], v["room"]) for v in day["visits"]) == ("HC-0001", "Room 1")
