"""The self-report link rule: usable until it expires, once; the reasons a patient reads."""

from datetime import UTC, datetime, timedelta

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.measurement.links import (
    LINK_EXPIRY_SOURCE,
    LONGEST_REASON,
    SELF_REPORT_INSTRUMENTS,
    LinkState,
    check_link,
    link_days,
    reason_for_link,
)

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_a_link_lasts_seven_days_by_default_a_site_default_chosen_for_privacy() -> None:
    assert link_days(None) == timedelta(days=7)
    assert LINK_EXPIRY_SOURCE.site_default


@pytest.mark.parametrize(("days", "valid"), [(0, False), (1, True), (30, True), (31, False)])
def test_a_link_may_last_one_to_thirty_days(days: int, valid: bool) -> None:
    if valid:
        assert link_days(days) == timedelta(days=days)
    else:
        with pytest.raises(InvalidInput) as refused:
            link_days(days)
        assert refused.value.field == "days_valid"
        assert f"{days} is outside 1–30 days" in refused.value.reason


@pytest.mark.parametrize(
    ("expires_in", "state"),
    [
        (timedelta(seconds=1), LinkState.USABLE),  # just before expiry
        (timedelta(0), LinkState.EXPIRED),  # at expiry: now >= expires_at
        (timedelta(seconds=-1), LinkState.EXPIRED),  # just after
    ],
)
def test_a_link_works_while_now_is_before_its_expiry(
    expires_in: timedelta, state: LinkState
) -> None:
    assert check_link(NOW + expires_in, None, NOW).state is state


def test_an_expired_link_says_when_it_expired() -> None:
    verdict = check_link(datetime(2026, 11, 20, 17, 30, tzinfo=UTC), None, NOW)
    assert verdict.reason.startswith("This link expired on 20 Nov 2026 at 17:30 UTC.")
    assert not verdict.usable


def test_a_used_link_is_reported_as_used_even_after_it_expired() -> None:
    verdict = check_link(NOW - timedelta(days=1), NOW - timedelta(days=3), NOW)
    assert verdict.state is LinkState.USED
    assert "already been used" in verdict.reason


def test_a_token_nobody_issued_is_unknown() -> None:
    verdict = check_link(None, None, NOW)
    assert verdict.state is LinkState.UNKNOWN
    assert verdict.reason == "This link is not valid. Please ask the clinic for a new link."


def test_a_link_carries_the_three_self_report_questionnaires() -> None:
    assert [str(code) for code in SELF_REPORT_INSTRUMENTS] == ["phq9", "gad7", "pcl5"]


def test_a_link_with_nothing_due_needs_a_reason_and_names_the_field() -> None:
    # issue 14, item 7: "a link for a patient with nothing due needs a reason"
    for blank in ("", "   "):
        with pytest.raises(InvalidInput) as refused:
            reason_for_link(False, blank)
        assert refused.value.field == "reason" and "nothing is due" in refused.value.reason
    assert reason_for_link(False, "  worse on the phone today ") == "worse on the phone today"


def test_a_link_with_something_due_needs_no_reason_but_keeps_one_given() -> None:
    assert reason_for_link(True, "") is None
    assert reason_for_link(True, "asked for it early") == "asked for it early"


def test_a_reason_longer_than_its_column_is_refused() -> None:
    assert reason_for_link(False, "x" * LONGEST_REASON)
    with pytest.raises(InvalidInput) as refused:
        reason_for_link(False, "x" * (LONGEST_REASON + 1))
    assert refused.value.field == "reason"
