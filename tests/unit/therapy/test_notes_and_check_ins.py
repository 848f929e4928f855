"""The rules of session notes and check-ins after dosing, at and either side of each limit
(issue 14, items 4-5). Limits are the protocol's (`protocols/mapp_v1/aftercare.py`); the expected
values restate the issue and the cited sources, not the code."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mdma_at.domain.adverse_events import AeSeverity
from mdma_at.domain.check_ins import (
    CheckInDraft,
    ContactMode,
    DosingDay,
    check_check_in,
    contact_day,
    contact_days,
    screener_indication,
)
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.staff import Role
from mdma_at.domain.therapy_notes import AddendumDraft, NoteDraft, check_addendum, check_note
from mdma_at.protocols.mapp_v1.aftercare import CHECK_INS, NOTES

TODAY = date(2026, 11, 22)
ALVAREZ, OKAFOR, NG = 3, 4, 2
ROLES = {
    ALVAREZ: frozenset({Role.THERAPIST}),
    OKAFOR: frozenset({Role.THERAPIST}),
    NG: frozenset({Role.PHYSICIAN}),
}
ES1 = DosingDay(session_id=10, session_number=1, on=date(2026, 11, 10))


def _note(**changes: object) -> NoteDraft:
    values: dict[str, object] = {
        "visit_id": 1,
        "session_on": TODAY,
        "themes": " Safety and trust ",
        "risks": "none noticed",
        "plan": "Breathing practice",
        "present": (ALVAREZ, OKAFOR),
        "duration_minutes": 90,  # MAPP1: 90-minute non-drug sessions [S1][S4]
    }
    values.update(changes)
    return NoteDraft(**values)  # type: ignore[arg-type]


def _check(draft: NoteDraft, kind: VisitKind = VisitKind.INTEGRATION) -> NoteDraft:
    return check_note(
        draft,
        visit_kind=kind,
        visit_label="Integration 1.1",
        author_id=ALVAREZ,
        roles_at_site=ROLES,
        today=TODAY,
        rules=NOTES,
    )


def test_a_complete_note_is_accepted_with_its_texts_trimmed() -> None:
    assert _check(_note()).themes == "Safety and trust"
    assert _check(_note(), VisitKind.PREPARATION).duration_minutes == 90


@pytest.mark.parametrize("minutes", [0, -1])
def test_a_duration_of_zero_or_less_is_refused(minutes: int) -> None:
    # issue 14: "a duration ≤ 0" is bad input
    with pytest.raises(InvalidInput) as refused:
        _check(_note(duration_minutes=minutes))
    assert refused.value.field == "duration_minutes"


def test_the_longest_duration_is_the_protocols_limit() -> None:
    # the site default's 480 minutes (a working day) is accepted; one more is a typing error
    assert _check(_note(duration_minutes=1)).duration_minutes == 1
    assert _check(_note(duration_minutes=480)).duration_minutes == 480
    with pytest.raises(InvalidInput, match="longer than 480"):
        _check(_note(duration_minutes=481))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"present": (ALVAREZ, NG)}, "present"),  # a physician is not of the therapist dyad
        ({"present": (OKAFOR,)}, "present"),  # the signer was not in the room
        ({"present": (ALVAREZ, OKAFOR, 99)}, "present"),  # the dyad is two [S11]
        ({"present": ()}, "present"),
        ({"risks": ""}, "risks"),
        ({"plan": "   "}, "plan"),
        ({"session_on": TODAY + timedelta(days=1)}, "session_on"),
    ],
)
def test_a_bad_note_names_its_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        _check(_note(**changes))
    assert refused.value.field == field


@pytest.mark.parametrize("kind", [VisitKind.DOSING, VisitKind.ASSESSMENT, VisitKind.FOLLOW_UP])
def test_notes_are_for_preparation_and_integration_visits_only(kind: VisitKind) -> None:
    with pytest.raises(InvalidInput) as refused:
        _check(_note(), kind)
    assert refused.value.field == "visit_id"


def test_an_addendum_needs_its_reason() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_addendum(AddendumDraft(1, " ", "corrected duration"))
    assert refused.value.field == "reason"


def _draft(on: date, **changes: object) -> CheckInDraft:
    values: dict[str, object] = {
        "on": on,
        "mode": ContactMode.PHONE,
        "suds": 20,
        "sleep_hours": 7.0,
        "suicidal_thoughts": False,
    }
    values.update(changes)
    return CheckInDraft(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("day", "accepted"), [(0, False), (1, True), (7, True), (8, False)])
def test_check_ins_are_for_days_one_to_seven_after_a_dosing_session(
    day: int, accepted: bool
) -> None:
    # issue 14: daily contacts for 7 days after each dosing session (MAPS manual [S18])
    on = ES1.on + timedelta(days=day)
    if accepted:
        assert contact_day([ES1], on, CHECK_INS) == (ES1, day)
    else:
        with pytest.raises(InvalidInput) as refused:
            contact_day([ES1], on, CHECK_INS)
        assert refused.value.field == "on"


def test_a_check_in_belongs_to_the_latest_session_before_it() -> None:
    es2 = DosingDay(11, 2, ES1.on + timedelta(days=28))
    assert contact_day([ES1, es2], es2.on + timedelta(days=2), CHECK_INS) == (es2, 2)


@pytest.mark.parametrize(("suds", "accepted"), [(-1, False), (0, True), (100, True), (101, False)])
def test_suds_is_on_the_0_to_100_scale(suds: int, accepted: bool) -> None:
    # Wolpe 1969: SUDS 0 (no distress) to 100 (the worst imaginable)
    draft = _draft(TODAY, suds=suds)
    if accepted:
        assert check_check_in(draft, TODAY, CHECK_INS).suds == suds
    else:
        with pytest.raises(InvalidInput) as refused:
            check_check_in(draft, TODAY, CHECK_INS)
        assert refused.value.field == "suds"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sleep_hours": -0.5}, "sleep_hours"),
        ({"sleep_hours": 24.5}, "sleep_hours"),  # a night has at most 24 hours
        ({"sleep_hours": float("nan")}, "sleep_hours"),
        ({"ae_term": "Nausea"}, "ae_severity"),
        ({"ae_severity": AeSeverity.MILD}, "ae_term"),
    ],
)
def test_a_bad_check_in_names_its_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_check_in(_draft(TODAY, **changes), TODAY, CHECK_INS)
    assert refused.value.field == field


def test_a_check_in_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_check_in(_draft(TODAY + timedelta(days=1)), TODAY, CHECK_INS)
    assert refused.value.field == "on"


@pytest.mark.parametrize(
    ("suds", "thoughts", "indicated"),
    [(50, False, False), (51, False, True), (0, True, True)],
)
def test_a_screener_is_indicated_above_the_threshold_or_on_suicidal_thoughts(
    suds: int, thoughts: bool, indicated: bool
) -> None:
    # the site default: SUDS above 50 (mid-scale), or any report of suicidal thoughts
    assert (screener_indication(suds, thoughts, CHECK_INS) is not None) is indicated


def test_contact_days_stop_at_the_next_session_and_show_what_is_done() -> None:
    es2 = DosingDay(11, 2, ES1.on + timedelta(days=5))  # an early next session, for the test
    days = contact_days([es2, ES1], [(99, ES1.session_id, 2)], CHECK_INS)
    first = [d for d in days if d.session_id == ES1.session_id]
    assert [d.day for d in first] == [1, 2, 3, 4]  # day 5 is the next session's day
    assert [d.done for d in first] == [False, True, False, False]
    assert [d.day for d in days if d.session_id == es2.session_id] == [1, 2, 3, 4, 5, 6, 7]
