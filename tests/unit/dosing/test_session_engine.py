"""The session engine as the console uses it: `start`, then `apply` per entry."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta

import pytest

from mdma_at.domain.dosing import Action, apply, evaluate, start
from mdma_at.domain.dosing.discharge import DischargePlan
from mdma_at.domain.dosing.events import (
    AdverseEventNoted,
    AlertsAcknowledged,
    CssrsScreened,
    DischargeRequested,
    DistressRated,
    DoseRequested,
    OverrideGiven,
    VitalsTaken,
)
from mdma_at.domain.dosing.session import SessionState
from mdma_at.domain.dosing.session_facts import PatientAtSession, PreDoseChecklist
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.vitals import DueReason, VitalSigns
from mdma_at.domain.vocabulary import CssrsRisk, PregnancyTest, Sex
from mdma_at.protocols import get_protocol

RULES = get_protocol("mapp_v1").dosing
T0 = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)
PATIENT = PatientAtSession(Sex.FEMALE, 61.0, childbearing_potential=True)
READY = PreDoseChecklist(True, True, True, 11, CssrsRisk.NONE, 2, PregnancyTest.NEGATIVE)
NORMAL = VitalSigns(124, 78, 72, 36.6)


def minutes(m: float) -> datetime:
    return T0 + timedelta(minutes=m)


def dosed() -> SessionState:
    state = start(1, PATIENT, READY, RULES)
    state, _ = apply(state, DistressRated(minutes(-6), 20), RULES)
    state, _ = apply(state, VitalsTaken(minutes(-5), NORMAL), RULES)
    state, out = apply(state, DoseRequested(T0, Action.INITIAL, 80), RULES)
    assert out.decisions[0].allowed
    return state


def test_a_session_number_outside_the_protocol_cannot_start() -> None:
    with pytest.raises(InvalidInput, match="outside the protocol's sessions 1–3"):
        start(4, PATIENT, READY, RULES)


def test_the_state_is_frozen_and_apply_returns_a_new_one() -> None:
    state = dosed()
    with pytest.raises(FrozenInstanceError):
        state.session_number = 2  # type: ignore[misc]
    after, _ = apply(state, VitalsTaken(minutes(30), NORMAL), RULES)
    assert after is not state and state.latest_vitals is not None
    assert state.latest_vitals.t == minutes(-5)


def test_an_entry_earlier_than_the_last_one_is_refused_and_changes_nothing() -> None:
    state = dosed()
    with pytest.raises(InvalidInput) as error:
        apply(state, VitalsTaken(minutes(-1), NORMAL), RULES)
    assert error.value.field == "t"


def test_an_allowed_discharge_closes_the_session() -> None:
    state = dosed()
    state, _ = apply(state, VitalsTaken(minutes(480), NORMAL), RULES)
    state, _ = apply(state, DistressRated(minutes(480), 10), RULES)
    state, _ = apply(state, CssrsScreened(minutes(480), CssrsRisk.NONE), RULES)
    plan = DischargePlan(physician_signoff=True, escort=False, overnight_stay=True)
    state, out = apply(state, DischargeRequested(minutes(481), plan), RULES)
    assert out.decisions[0].allowed and state.discharged_at == minutes(481)
    assert state.next_vitals is None
    with pytest.raises(InvalidInput) as error:
        apply(state, AdverseEventNoted(minutes(482), "headache"), RULES)
    assert error.value.field == "session"


def test_a_vitals_entry_outputs_its_alerts_and_the_next_due_time() -> None:
    state, out = apply(dosed(), VitalsTaken(minutes(30), VitalSigns(182, 96, 118, 37.2)), RULES)
    assert [(a.alert.parameter, a.alert.level) for a in out.alerts] == [("systolic", "critical")]
    assert out.vitals_due[0].reason is DueReason.CRITICAL_ALERT
    assert out.vitals_due[0].page_physician
    assert state.next_vitals == out.vitals_due[0]


def test_a_physician_acknowledgement_stops_the_paging_but_not_the_alert() -> None:
    state, _ = apply(dosed(), VitalsTaken(minutes(30), VitalSigns(182, 96, 118, 37.2)), RULES)
    state, out = apply(state, AlertsAcknowledged(minutes(32), "physician"), RULES)
    assert out.vitals_due == () and state.alerts.level == "critical"
    assert state.next_vitals is not None
    assert state.next_vitals.reason is DueReason.CRITICAL_ALERT  # still every 5 min
    assert not state.next_vitals.page_physician


def test_an_override_by_another_role_is_not_kept() -> None:
    state, _ = apply(dosed(), OverrideGiven(minutes(1), Action.SUPPLEMENTAL, "nurse", "x"), RULES)
    assert state.overrides == ()


def test_a_later_physician_override_replaces_the_pending_one_of_the_same_action() -> None:
    state, _ = apply(
        dosed(), OverrideGiven(minutes(1), Action.SUPPLEMENTAL, "physician", "a"), RULES
    )
    state, _ = apply(state, OverrideGiven(minutes(2), Action.SUPPLEMENTAL, "physician", "b"), RULES)
    assert [o.reason for o in state.overrides] == ["b"]


def test_evaluate_answers_without_recording_so_the_console_can_explain_a_disabled_button() -> None:
    state = dosed()
    state, _ = apply(state, VitalsTaken(minutes(85), NORMAL), RULES)
    too_early = evaluate(state, DoseRequested(minutes(89), Action.SUPPLEMENTAL, 40), RULES)
    assert not too_early.allowed
    assert [r.code for r in too_early.reasons] == ["supplemental_window"]
    in_window = evaluate(state, DoseRequested(minutes(90), Action.SUPPLEMENTAL, 40), RULES)
    assert in_window.allowed
    assert state.supplemental is None


def test_the_total_counts_allowed_doses_only() -> None:
    state = dosed()
    state, _ = apply(state, VitalsTaken(minutes(95), NORMAL), RULES)
    state, _ = apply(state, DoseRequested(minutes(96), Action.SUPPLEMENTAL, 60), RULES)
    assert state.total_mg == 80
    state, _ = apply(state, DoseRequested(minutes(97), Action.SUPPLEMENTAL, 40), RULES)
    assert state.total_mg == 120


def test_a_dose_request_cannot_be_for_discharge() -> None:
    with pytest.raises(ValueError, match="initial or the supplemental"):
        DoseRequested(T0, Action.DISCHARGE, 80)
