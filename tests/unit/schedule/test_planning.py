"""The mapp_v1 schedule: targets, windows, re-planning and deviations (pure)."""

import itertools
from datetime import date, timedelta

import pytest

from mdma_at.domain.schedule.definitions import ENROLMENT, ScheduleDefinition, VisitDefinition
from mdma_at.domain.schedule.definitions import VisitKind as K
from mdma_at.domain.schedule.planning import plan_schedule, window_deviation
from mdma_at.domain.sources import Source
from mdma_at.protocols import get_protocol

SCHEDULE = get_protocol("mapp_v1").schedule
ENROLLED = date(2026, 1, 5)


def plan(**kwargs):  # type: ignore[no-untyped-def]
    result = plan_schedule(SCHEDULE, ENROLLED, **kwargs)
    return {v.code: v for v in result.visits}, result.issues


def test_enrolment_generates_every_visit_of_the_programme() -> None:
    visits, issues = plan()
    kinds = [v.kind for v in visits.values()]
    assert kinds.count(K.PREPARATION) == 3
    assert kinds.count(K.DOSING) == 3
    assert kinds.count(K.INTEGRATION) == 9
    assert kinds.count(K.PRIMARY_ENDPOINT) == 1
    assert kinds.count(K.FOLLOW_UP) == 2
    assert {"baseline", "assess1", "assess2", "assess3"} <= visits.keys()
    assert issues == ()


def test_dosing_sessions_are_four_weeks_apart_with_a_three_to_five_week_window() -> None:
    visits, _ = plan()
    es1, es2, es3 = visits["es1"], visits["es2"], visits["es3"]
    assert es2.target - es1.planned == timedelta(weeks=4)
    assert es3.target - es2.planned == timedelta(weeks=4)
    assert es2.window_start - es1.planned == timedelta(weeks=3)
    assert es2.window_end - es1.planned == timedelta(weeks=5)


def test_integration_sessions_follow_each_dosing_session_the_next_day_then_weekly() -> None:
    visits, _ = plan()
    for n in (1, 2, 3):
        es = visits[f"es{n}"].planned
        offsets = [(visits[f"es{n}_int{i}"].target - es).days for i in (1, 2, 3)]
        assert offsets == [1, 8, 15]


def test_primary_endpoint_is_18_weeks_after_baseline_and_follow_up_after_the_last_dose() -> None:
    visits, _ = plan()
    assert visits["primary"].target - visits["baseline"].planned == timedelta(weeks=18)
    assert (visits["fu6m"].target - visits["es3"].planned).days == 182
    assert (visits["fu12m"].target - visits["es3"].planned).days == 365


def test_visits_are_planned_in_protocol_order_inside_their_windows() -> None:
    visits, _ = plan()
    ordered = sorted(visits.values(), key=lambda v: v.sequence)
    assert all(a.planned <= b.planned for a, b in itertools.pairwise(ordered))
    assert all(v.planned_in_window for v in ordered)


def test_windows_follow_the_day_an_anchor_visit_was_really_held() -> None:
    base, _ = plan()
    late = base["es1"].planned + timedelta(days=3)
    visits, _ = plan(
        held={**{c: v.planned for c, v in base.items() if v.sequence < 5}, "es1": late}
    )
    assert visits["es1_int1"].target == late + timedelta(days=1)
    assert visits["es2"].target == late + timedelta(weeks=4)


def test_moving_a_dosing_session_replans_later_visits_and_names_those_that_cannot_fit() -> None:
    base, _ = plan()
    # es3 moved 9 weeks later: its assessment then falls after the primary endpoint's window.
    moved = base["es3"].planned + timedelta(weeks=9)
    visits, issues = plan(rescheduled={"es3": moved})
    assert visits["es3_int1"].planned == moved + timedelta(days=1)
    assert visits["assess3"].planned == moved + timedelta(days=18)
    codes = [issue.code for issue in issues]
    assert codes[0] == "es3"  # the move itself is outside its 3–5 week window
    assert "primary" in codes
    assert "cannot be held inside its window" in {i.code: i.reason for i in issues}["primary"]


def test_a_move_inside_the_window_leaves_nothing_unplaceable() -> None:
    base, _ = plan()
    visits, issues = plan(rescheduled={"es2": base["es2"].planned + timedelta(days=7)})
    assert issues == ()
    assert visits["es2_int1"].planned == base["es2"].planned + timedelta(days=8)


@pytest.mark.parametrize(
    ("offset_days", "expected"),
    [(-1, "1 day(s) before its window"), (0, None), (10, None), (11, "1 day(s) after its window")],
)
def test_a_visit_held_outside_its_window_is_a_deviation_at_both_edges(
    offset_days: int, expected: str | None
) -> None:
    start = date(2026, 3, 1)
    reason = window_deviation(
        "Dosing session 2", start, start + timedelta(days=10), start + timedelta(days=offset_days)
    )
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason and "Dosing session 2" in reason


def test_a_schedule_definition_refuses_an_anchor_that_comes_later() -> None:
    src = Source("test")
    with pytest.raises(ValueError, match="anchor 'b' must be an earlier visit"):
        ScheduleDefinition(
            (
                VisitDefinition("a", K.ASSESSMENT, "A", "b", 1, 0, 0, src),
                VisitDefinition("b", K.ASSESSMENT, "B", ENROLMENT, 1, 0, 0, src),
            )
        )


def test_every_visit_of_mapp_v1_carries_a_source() -> None:
    assert all(str(v.source) for v in SCHEDULE.visits)
