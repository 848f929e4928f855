"""Active alerts: raised, escalated, cleared by two normal readings only; a physician's
acknowledgement stops the paging (issue 9, item 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mdma_at.domain.vitals import AlertState, Parameter, VitalSigns, classify
from mdma_at.domain.vocabulary import AlertLevel
from mdma_at.protocols import get_protocol

THRESHOLDS = get_protocol("mapp_v1").dosing.thresholds
# The state at the start of a session, clearing after the protocol's number of readings (two,
# DESIGN.md §4: a site default); AlertState has no default of its own.
START = AlertState(readings_to_clear=get_protocol("mapp_v1").dosing.readings_to_clear.value)
T0 = datetime(2026, 9, 30, 9, 0, tzinfo=UTC)


def after(state: AlertState, minutes: int, reading: VitalSigns) -> AlertState:
    measured = [p for p in Parameter if reading.value(p) is not None]
    return state.after_reading(
        T0 + timedelta(minutes=minutes), classify(reading, THRESHOLDS), measured
    )


NORMAL = VitalSigns(130, 80, 80, 36.8)
CAUTION_SBP = VitalSigns(165, 80, 80, 36.8)
CRITICAL_SBP = VitalSigns(185, 80, 80, 36.8)


def test_no_alert_is_active_at_the_start() -> None:
    assert START.level is None


def test_a_caution_reading_raises_a_caution_alert_from_its_time() -> None:
    state = after(START, 0, CAUTION_SBP)
    assert state.level is AlertLevel.CAUTION
    assert state.active[0].since == T0


def test_escalation_to_critical_keeps_the_start_of_the_episode() -> None:
    state = after(after(START, 0, CAUTION_SBP), 10, CRITICAL_SBP)
    assert state.level is AlertLevel.CRITICAL
    assert state.active[0].since == T0


def test_a_caution_reading_after_a_critical_one_keeps_the_alert_critical() -> None:
    state = after(after(START, 0, CRITICAL_SBP), 5, CAUTION_SBP)
    assert state.level is AlertLevel.CRITICAL


def test_alerts_of_different_parameters_are_kept_apart() -> None:
    state = after(after(START, 0, CAUTION_SBP), 10, VitalSigns(130, 80, 125, 36.8))
    assert [a.parameter for a in state.active] == [Parameter.SYSTOLIC, Parameter.HEART_RATE]


def test_two_normal_readings_in_a_row_clear_every_active_alert() -> None:
    state = after(START, 0, CRITICAL_SBP)
    state = after(state, 5, NORMAL)
    assert state.level is AlertLevel.CRITICAL and state.normal_in_a_row == 1
    state = after(state, 10, NORMAL)
    assert state.level is None and state.normal_in_a_row == 0


def test_a_reading_in_range_restarts_the_count() -> None:
    state = after(after(after(START, 0, CAUTION_SBP), 10, NORMAL), 20, CAUTION_SBP)
    assert state.normal_in_a_row == 0
    assert after(state, 30, NORMAL).level is AlertLevel.CAUTION


def test_normal_readings_without_an_alert_change_nothing() -> None:
    state = START
    assert after(state, 0, NORMAL) is state


def test_an_acknowledgement_stops_the_paging_but_never_clears_an_alert() -> None:
    # Issue 9, item 1: acknowledging is not resolving.
    raised = after(START, 0, CRITICAL_SBP)
    assert raised.paging
    state = raised.acknowledged(T0 + timedelta(minutes=1))
    assert state.level is AlertLevel.CRITICAL and [a.parameter for a in state.active] == [
        Parameter.SYSTOLIC
    ]
    assert not state.paging


def test_a_new_critical_reading_after_an_acknowledgement_pages_again() -> None:
    state = after(START, 0, CRITICAL_SBP).acknowledged(T0 + timedelta(minutes=1))
    assert not after(state, 5, CAUTION_SBP).paging  # caution: still acknowledged
    assert after(state, 5, CRITICAL_SBP).paging


def test_a_reading_that_does_not_measure_the_alerted_parameter_does_not_clear_it() -> None:
    fever = after(START, 0, VitalSigns(130, 80, 80, 38.4))
    no_temperature = VitalSigns(130, 80, 80)
    state = after(after(fever, 10, no_temperature), 20, no_temperature)
    assert [a.parameter for a in state.active] == [Parameter.TEMPERATURE]
    assert after(after(state, 30, NORMAL), 40, NORMAL).active == ()


def test_low_alerts_carry_their_direction() -> None:
    # NEWS2-based low limits (issue 9, item 3): SBP < 90 caution, < 80 critical.
    state = after(START, 0, VitalSigns(78, 40, 80, 36.8))
    assert [(a.parameter, a.level, a.direction) for a in state.active] == [
        (Parameter.SYSTOLIC, AlertLevel.CRITICAL, "low")
    ]
