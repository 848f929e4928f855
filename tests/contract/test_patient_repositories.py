"""Patients, enrolments, visits and deviations: what registration and the schedule rely on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, details, enrol, planned, seed
from mdma_at.domain.errors import DuplicateKey
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.schedule.records import EnrolmentStatus, VisitStatus


def test_patients_are_found_by_id_study_id_and_search(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        uow.patients.add(s.site_a.id, details("HC-0003", "Alex Reyes"))
        uow.commit()
    with new_uow() as uow:
        assert uow.patients.get(s.patient.id) == s.patient
        assert uow.patients.by_study_id("HC-0001") == s.other
        assert uow.patients.get(999) is None and uow.patients.by_study_id("X") is None
        site_a = frozenset({s.site_a.id})
        both = frozenset({s.site_a.id, s.site_b.id})
        # by study ID, only the sites asked for, text in study ID or name, any case
        assert [p.details.study_id for p in uow.patients.search(both)] == [
            "HC-0001",
            "HC-0002",
            "HC-0003",
        ]
        assert [p.details.study_id for p in uow.patients.search(site_a, "REYES")] == [
            "HC-0002",
            "HC-0003",
        ]
        assert [p.details.study_id for p in uow.patients.search(both, "0001")] == ["HC-0001"]
        assert len(uow.patients.search(both, limit=2)) == 2


def test_a_study_id_registered_twice_is_a_duplicate_key(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
    with pytest.raises(DuplicateKey, match="patients"), new_uow() as uow:
        uow.patients.add(s.site_b.id, details("HC-0002", "Someone Else"))


def test_enrolments_and_withdrawal(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        enrolment = uow.enrolments.add(s.patient.id, "mapp_v1", date(2026, 11, 1))
        uow.enrolments.withdraw(enrolment.id, date(2026, 12, 1), "moved away")
        uow.commit()
    with new_uow() as uow:
        (found,) = uow.enrolments.for_patient(s.patient.id)
        assert found == uow.enrolments.get(enrolment.id)
        assert (found.status, found.withdrawn_on, found.withdrawal_reason) == (
            EnrolmentStatus.WITHDRAWN,
            date(2026, 12, 1),
            "moved away",
        )
        assert uow.enrolments.for_patient(s.other.id) == []
        assert uow.enrolments.get(999) is None


def test_visits_in_sequence_moved_held_and_listed_by_date(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        enrolment, es1 = enrol(uow, s.patient)
        prep = uow.visits.add_planned(
            enrolment.id, planned("prep1", 1, date(2026, 11, 10), VisitKind.PREPARATION)
        )
        other_enrolment, other_es1 = enrol(uow, s.other)
        uow.commit()
    with new_uow() as uow:
        assert [v.code for v in uow.visits.for_enrolment(enrolment.id)] == ["prep1", "es1"]
        assert uow.visits.get(999) is None
        moved = uow.visits.replan(es1.id, planned("es1", 5, date(2026, 11, 24)), rescheduled=True)
        assert (moved.planned, moved.window_end, moved.rescheduled) == (
            date(2026, 11, 24),
            date(2026, 11, 27),
            True,
        )
        held = uow.visits.mark_held(prep.id, date(2026, 11, 11))
        assert (held.status, held.held_on) == (VisitStatus.HELD, date(2026, 11, 11))
        uow.commit()
    with new_uow() as uow:
        both = frozenset({s.site_a.id, s.site_b.id})
        window = uow.visits.planned_between(both, date(2026, 11, 1), date(2026, 11, 30))
        # planned visits only (prep1 was held), by planned date: HC-0001 on the 22nd, then es1
        assert [(p.details.study_id, v.code, v.planned) for p, v in window] == [
            ("HC-0001", "es1", date(2026, 11, 22)),
            ("HC-0002", "es1", date(2026, 11, 24)),
        ]
        assert (
            uow.visits.planned_between(
                frozenset({s.site_b.id}), date(2026, 11, 23), date(2026, 12, 1)
            )
            == []
        )
        # overdue: planned visits whose window closed before today, of active enrolments
        assert [v.id for _, v in uow.visits.overdue(both, date(2026, 11, 26))] == [other_es1.id]
        uow.enrolments.withdraw(other_enrolment.id, date(2026, 11, 25), "withdrew")
        uow.visits.set_status(es1.id, VisitStatus.CANCELLED)
        assert uow.visits.overdue(both, date(2026, 12, 31)) == []


def test_a_visit_code_repeated_in_an_enrolment_is_a_duplicate_key(new_uow: UowFactory) -> None:
    with pytest.raises(DuplicateKey), new_uow() as uow:
        s = seed(uow)
        enrolment, _ = enrol(uow, s.patient)
        uow.visits.add_planned(enrolment.id, planned("es1", 6, date(2026, 12, 22)))


def test_deviations_in_the_order_recorded(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        enrolment, visit = enrol(uow, s.patient)
        first = uow.deviations.add(enrolment.id, visit.id, "window", "late", T0)
        second = uow.deviations.add(enrolment.id, None, "other", "note", T0 - timedelta(days=1))
        uow.commit()
    with new_uow() as uow:
        assert uow.deviations.for_enrolment(enrolment.id) == [first, second]
