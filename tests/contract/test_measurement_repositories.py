"""Self-report links, administrations with their answers, and the safety alerts they raise."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, enrol, seed
from mdma_at.domain.errors import DuplicateKey
from mdma_at.domain.instruments.records import item_answers
from mdma_at.domain.instruments.scoring import score
from mdma_at.domain.measurement.records import EnteredThrough
from mdma_at.domain.schedule.records import VisitStatus
from mdma_at.protocols.mapp_v1 import MAPP_V1
from mdma_at.services.ports import UnitOfWork

PHQ9 = MAPP_V1.instruments.get("phq9")


def _administer(uow: UnitOfWork, patient_id: int, day: int, visit_id: int | None = None) -> int:
    # item 9 answered 1: a positive answer raises the protocol's suicidality alert
    scored = score(PHQ9, [2, 1, 1, 0, 0, 1, 0, 0, 1])
    return uow.administrations.add(
        patient_id,
        visit_id,
        PHQ9,
        scored,
        item_answers(PHQ9, scored),
        completed_on=date(2026, 11, day),
        recorded_at=T0,
        entered_through=EnteredThrough.STAFF,
        entered_by=None,
    ).id


def test_a_link_is_found_by_its_hash_and_used_once(new_uow: UowFactory) -> None:
    later = T0 + timedelta(days=7)
    with new_uow() as uow:
        s = seed(uow)
        link = uow.questionnaire_links.add(
            s.patient.id, None, "h1", ["phq9", "gad7"], None, T0, later
        )
        uow.commit()
    with new_uow() as uow:
        assert link.instruments == ("phq9", "gad7") and link.used_at is None
        assert uow.questionnaire_links.by_token_hash("h1") == link
        assert uow.questionnaire_links.by_token_hash("h2") is None
        assert uow.questionnaire_links.mark_used(link.id, T0) is True
        assert uow.questionnaire_links.mark_used(link.id, later) is False  # no double submission
        uow.commit()
    with new_uow() as uow:
        used = uow.questionnaire_links.get(link.id)
        assert used is not None and used.used_at == T0
        assert uow.questionnaire_links.for_patient(s.patient.id) == [used]


def test_a_token_hash_repeated_is_a_duplicate_key(new_uow: UowFactory) -> None:
    with pytest.raises(DuplicateKey), new_uow() as uow:
        s = seed(uow)
        uow.questionnaire_links.add(s.patient.id, None, "h1", ["phq9"], None, T0, T0)
        uow.questionnaire_links.add(s.other.id, None, "h1", ["phq9"], None, T0, T0)


def test_administrations_by_completion_with_answers_in_item_order(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        _, visit = enrol(uow, s.patient)
        later = _administer(uow, s.patient.id, 20, visit.id)
        earlier = _administer(uow, s.patient.id, 10)
        uow.commit()
    with new_uow() as uow:
        found = uow.administrations.get(earlier)
        assert found is not None and uow.administrations.get(999) is None
        # PHQ-9 total: the sum of the nine answers, 2+1+1+0+0+1+0+0+1 = 6
        assert (found.instrument, found.score.total, found.entered_through) == (
            "phq9",
            6,
            EnteredThrough.STAFF,
        )
        assert [a.id for a in uow.administrations.for_patient(s.patient.id)] == [earlier, later]
        answers = uow.administrations.answers(earlier)
        assert [(a.number, a.value) for a in answers] == [
            (n, v) for n, v in enumerate([2, 1, 1, 0, 0, 1, 0, 0, 1], start=1)
        ]
        assert uow.administrations.completed([s.patient.id, s.other.id]) == [
            (s.patient.id, visit.id, "phq9", date(2026, 11, 20))
        ]


def test_active_schedules_by_study_id_without_cancelled_visits(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        enrolment, mine = enrol(uow, s.patient)
        _, theirs = enrol(uow, s.other)
        uow.visits.set_status(theirs.id, VisitStatus.CANCELLED)
        uow.commit()
    with new_uow() as uow:
        both = frozenset({s.site_a.id, s.site_b.id})
        schedules = uow.administrations.active_schedules(both)
        assert [(p.id, [v.id for v in visits]) for p, visits in schedules] == [
            (s.patient.id, [mine.id])
        ]
        uow.enrolments.withdraw(enrolment.id, date(2026, 12, 1), "withdrew")
        assert uow.administrations.active_schedules(both) == []


def test_alerts_open_until_acknowledged_newest_first(new_uow: UowFactory) -> None:
    scored = score(PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 1])
    (alert,) = scored.alerts
    with new_uow() as uow:
        s = seed(uow)
        first = uow.safety_alerts.add(s.patient.id, _administer(uow, s.patient.id, 1), alert, T0)
        second = uow.safety_alerts.add(
            s.other.id, _administer(uow, s.other.id, 2), alert, T0 + timedelta(hours=1)
        )
        uow.commit()
    with new_uow() as uow:
        both = frozenset({s.site_a.id, s.site_b.id})
        assert (first.site_id, first.instrument, first.code) == (s.site_a.id, "phq9", alert.code)
        assert [a.id for _, a in uow.safety_alerts.open_at(both)] == [second.id, first.id]
        assert uow.safety_alerts.open_at(frozenset({s.site_a.id}))[0][0] == s.patient
        uow.safety_alerts.acknowledge(first.id, s.physician.id, T0, "called the patient")
        uow.commit()
    with new_uow() as uow:
        acknowledged = uow.safety_alerts.get(first.id)
        assert acknowledged is not None and uow.safety_alerts.get(999) is None
        assert (acknowledged.acknowledged_by, acknowledged.action_taken) == (
            "Dana Reid",
            "called the patient",
        )
        assert uow.safety_alerts.for_patient(s.patient.id) == [acknowledged]
        assert [a.id for _, a in uow.safety_alerts.open_at(both)] == [second.id]


def test_an_alert_acknowledged_twice_is_a_duplicate_key(new_uow: UowFactory) -> None:
    (alert,) = score(PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 1]).alerts
    with pytest.raises(DuplicateKey), new_uow() as uow:
        s = seed(uow)
        raised = uow.safety_alerts.add(s.patient.id, _administer(uow, s.patient.id, 1), alert, T0)
        uow.safety_alerts.acknowledge(raised.id, s.physician.id, T0, "called")
        uow.safety_alerts.acknowledge(raised.id, s.physician.id, T0, "called again")
