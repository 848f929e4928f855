"""Due and overdue: which instruments at which visit, and their status on a given day."""

from __future__ import annotations

from datetime import date

from mdma_at.domain.instruments import (
    CompletedAdministration,
    DueStatus,
    DueTiming,
    VisitSlot,
    due_and_overdue,
)
from mdma_at.domain.instruments.due import instruments_at
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.protocols import get_protocol

PROTOCOL = get_protocol("mapp_v1")
RULES = PROTOCOL.instruments.due_rules


def at(code: str) -> list[str]:
    visit = PROTOCOL.schedule.visit(code)
    return [str(rule.instrument) for rule in instruments_at(RULES, visit.code, visit.kind)]


def test_every_preparation_visit_has_the_self_reports_and_the_cssrs() -> None:
    assert at("prep1") == ["pcl5", "phq9", "gad7", "cssrs-screen"]
    assert at("prep3") == at("prep1")


def test_baseline_adds_the_caps5() -> None:
    assert at("baseline") == ["pcl5", "phq9", "gad7", "cssrs-screen", "caps5"]


def test_assessment_primary_endpoint_and_follow_up_have_everything() -> None:
    for code in ("assess1", "assess3", "primary", "fu6m", "fu12m"):
        assert at(code) == ["pcl5", "phq9", "gad7", "cssrs-screen", "caps5"], code


def test_dosing_sessions_have_the_self_reports_and_cssrs_before_the_dose() -> None:
    visit = PROTOCOL.schedule.visit("es2")
    rules = instruments_at(RULES, visit.code, visit.kind)
    assert [str(r.instrument) for r in rules] == ["pcl5", "phq9", "gad7", "cssrs-screen"]
    assert {r.timing for r in rules} == {DueTiming.BEFORE_DOSE}


def test_integration_sessions_have_the_cssrs_only() -> None:
    assert at("es1_int1") == ["cssrs-screen"]


def test_every_visit_of_the_schedule_has_the_cssrs() -> None:
    for visit in PROTOCOL.schedule.visits:
        assert "cssrs-screen" in at(visit.code), visit.code


ASSESS = VisitSlot(
    "assess1", VisitKind.ASSESSMENT, "Assessment 1", date(2026, 3, 10), date(2026, 3, 15)
)


def status(
    today: date, visit: VisitSlot = ASSESS, done: tuple[CompletedAdministration, ...] = ()
) -> dict[str, DueStatus]:
    report = due_and_overdue(RULES, [visit], done, today)
    return {str(i.instrument): i.status for i in report.items}


def test_before_the_window_opens_nothing_is_due_yet() -> None:
    assert set(status(date(2026, 3, 9)).values()) == {DueStatus.NOT_YET_DUE}


def test_on_the_first_and_last_day_of_the_window_everything_is_due() -> None:
    assert set(status(date(2026, 3, 10)).values()) == {DueStatus.DUE}
    assert set(status(date(2026, 3, 15)).values()) == {DueStatus.DUE}


def test_the_day_after_the_window_closes_it_is_overdue_by_one_day() -> None:
    report = due_and_overdue(RULES, [ASSESS], (), date(2026, 3, 16))
    assert {i.status for i in report.items} == {DueStatus.OVERDUE}
    assert {i.days_overdue for i in report.items} == {1}
    assert report.overdue[0].reason.startswith(
        "pcl5 overdue by 1 day(s): the window of Assessment 1 closes on 2026-03-15"
    )


def test_a_completed_instrument_is_done_whatever_the_day() -> None:
    done = (CompletedAdministration("phq9", "assess1", date(2026, 3, 12)),)
    got = status(date(2026, 4, 1), done=done)
    assert got["phq9"] is DueStatus.DONE
    assert got["gad7"] is DueStatus.OVERDUE


def test_an_administration_for_another_visit_does_not_count() -> None:
    done = (CompletedAdministration("phq9", "baseline", date(2026, 3, 12)),)
    assert status(date(2026, 3, 12), done=done)["phq9"] is DueStatus.DUE


def test_a_held_visit_is_due_on_its_day_and_overdue_the_day_after() -> None:
    held = VisitSlot(
        "es1",
        VisitKind.DOSING,
        "Dosing session 1",
        date(2026, 2, 1),
        date(2026, 2, 13),
        held_on=date(2026, 2, 5),
    )
    assert set(status(date(2026, 2, 5), held).values()) == {DueStatus.DUE}
    report = due_and_overdue(RULES, [held], (), date(2026, 2, 6))
    assert {i.status for i in report.items} == {DueStatus.OVERDUE}
    assert report.items[0].due_by == date(2026, 2, 5)
    assert "Dosing session 1 was held on 2026-02-05 without it" in report.items[0].reason


def test_overdue_comes_first_most_days_first_then_due() -> None:
    late = VisitSlot(
        "baseline", VisitKind.ASSESSMENT, "Baseline", date(2026, 1, 1), date(2026, 1, 5)
    )
    report = due_and_overdue(RULES, [ASSESS, late], (), date(2026, 3, 12))
    statuses = [i.status for i in report.items]
    assert statuses == sorted(statuses, key=[DueStatus.OVERDUE, DueStatus.DUE].index)
    assert {i.visit_code for i in report.overdue} == {"baseline"}
    assert {i.visit_code for i in report.due} == {"assess1"}


def test_a_due_item_serialises_for_the_coordinators_page() -> None:
    item = due_and_overdue(RULES, [ASSESS], (), date(2026, 3, 16)).items[0]
    assert item.to_dict() == {
        "instrument": "pcl5",
        "visit_code": "assess1",
        "visit_label": "Assessment 1",
        "timing": "at_visit",
        "status": "overdue",
        "due_from": "2026-03-10",
        "due_by": "2026-03-15",
        "days_overdue": 1,
        "reason": "pcl5 overdue by 1 day(s): the window of Assessment 1 closes on 2026-03-15 "
        "without it",
    }
