"""Submissions of expedited safety reports (issue 17, item 4): one per serious adverse event."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, enrol, seed
from mdma_at.domain.dosing.records import EntryKind, NewEntry
from mdma_at.domain.errors import DuplicateKey


def _adverse_events(uow, s, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    _, visit = enrol(uow, s.patient)
    session = uow.dosing_sessions.add(s.patient.id, visit.id, "mapp_v1", 1, T0, None, False, 70)
    return [
        uow.session_entries.append(
            session.id,
            NewEntry(T0 + timedelta(minutes=n), EntryKind.ADVERSE_EVENT, {"serious": True}),
            s.therapist.id,
            "Tess",
            "therapist",
            T0,
        ).id
        for n in range(count)
    ]


def test_submissions_are_found_by_their_event(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        first, second = _adverse_events(uow, s, 2)
        added = uow.safety_reports.add(first, date(2026, 12, 2), "TGA", "AER-1", s.therapist.id, T0)
        uow.commit()
    with new_uow() as uow:
        assert uow.safety_reports.for_entries([first, second]) == [added]
        assert uow.safety_reports.for_entries([second]) == []
        assert (added.submitted_on, added.submitted_to, added.reference) == (
            date(2026, 12, 2),
            "TGA",
            "AER-1",
        )


def test_a_second_submission_for_an_event_is_a_duplicate_key(new_uow: UowFactory) -> None:
    with pytest.raises(DuplicateKey), new_uow() as uow:
        s = seed(uow)
        (entry,) = _adverse_events(uow, s, 1)
        uow.safety_reports.add(entry, date(2026, 12, 2), "TGA", "A", s.therapist.id, T0)
        uow.safety_reports.add(entry, date(2026, 12, 3), "HREC", "B", s.therapist.id, T0)
