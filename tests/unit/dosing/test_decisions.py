"""Decisions with reasons; what a physician override lifts and what it never does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mdma_at.domain.dosing.decisions import Action, Lift, Liftable, Reason, decide
from mdma_at.domain.dosing.session_facts import clock, stamp
from mdma_at.domain.sources import Source

T = datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
ALERT = Reason("alert_active", "vital-sign alert active", Source("site"), Liftable.BY_OVERRIDE)
WINDOW = Reason("supplemental_window", "before the window", Source("MAPP1 [S4]"))
LIFT = Lift(T, "physician", "examined, stable")


def test_no_refusal_means_allowed_with_no_reasons() -> None:
    decision = decide(T, Action.SUPPLEMENTAL, [], None, 40)
    assert (decision.allowed, decision.reasons, decision.mg) == (True, (), 40)


def test_a_refusal_without_override_is_refused_with_its_reasons() -> None:
    decision = decide(T, Action.SUPPLEMENTAL, [ALERT, WINDOW], None)
    assert not decision.allowed
    assert [r.code for r in decision.reasons] == ["alert_active", "supplemental_window"]


def test_an_override_lifts_liftable_reasons_and_keeps_them_on_record() -> None:
    decision = decide(T, Action.SUPPLEMENTAL, [ALERT], LIFT)
    assert decision.allowed
    assert decision.reasons[0].lifted_by == LIFT
    assert decision.reasons[0].message == "vital-sign alert active"  # structured, not appended
    assert str(decision.reasons[0]).endswith(
        "(lifted by physician override: examined, stable) [site]"
    )


def test_an_override_never_lifts_a_reason_that_is_not_liftable() -> None:
    decision = decide(T, Action.SUPPLEMENTAL, [ALERT, WINDOW], LIFT)
    assert not decision.allowed
    # Refused: nothing was lifted, so no reason says it was.
    assert all(r.lifted_by is None for r in decision.reasons)


def test_a_reason_reads_code_message_and_source() -> None:
    assert str(WINDOW) == "supplemental_window: before the window [MAPP1 [S4]]"
    assert str(Source("x", site_default=True)) == "x (site default)"


def test_durations_read_like_the_session_clock() -> None:
    assert clock(timedelta(hours=1, minutes=29, seconds=59)) == "1:29:59"
    assert clock(timedelta(minutes=-5)) == "-0:05:00"
    assert stamp(T) == "2026-09-30T10:00:00Z"
