"""Invariants of the engine over arbitrary well-formed sessions (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mdma_at.domain.dosing import Action, apply, start
from mdma_at.domain.dosing.discharge import DischargePlan
from mdma_at.domain.dosing.events import (
    AlertsAcknowledged,
    DischargeRequested,
    DoseRequested,
    Event,
    OverrideGiven,
    VitalsTaken,
)
from mdma_at.domain.dosing.session_facts import PatientAtSession, PreDoseChecklist
from mdma_at.domain.vitals import VitalSigns
from mdma_at.domain.vocabulary import CssrsRisk, PregnancyTest, Sex
from mdma_at.protocols import get_protocol

RULES = get_protocol("mapp_v1").dosing
T0 = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)
READY = PreDoseChecklist(True, True, True, 11, CssrsRisk.NONE, 2, PregnancyTest.NEGATIVE)
PATIENT = PatientAtSession(Sex.FEMALE, 61.0, True)

readings = st.builds(
    VitalSigns,
    systolic=st.integers(90, 200),
    diastolic=st.integers(50, 85),
    heart_rate=st.integers(50, 160),
    temperature_c=st.sampled_from([36.5, 37.5, 38.0, 38.5, 39.0, 39.5]),
)
kinds = st.one_of(
    readings.map(lambda r: ("vitals", r)),
    st.sampled_from([40.0, 60.0, 80.0, 120.0]).map(lambda mg: ("initial", mg)),
    st.sampled_from([20.0, 40.0, 60.0, 90.0]).map(lambda mg: ("supplemental", mg)),
    st.sampled_from(list(Action)).map(lambda a: ("override", a)),
    st.just(("acknowledge", None)),
    st.booleans().map(lambda escort: ("discharge", escort)),
)


def build(steps: list[tuple[int, tuple[str, object]]]) -> list[Event]:
    t, events = T0, []
    for gap, (kind, value) in steps:
        t += timedelta(minutes=gap)
        if kind == "vitals":
            assert isinstance(value, VitalSigns)
            events.append(VitalsTaken(t, value))
        elif kind in ("initial", "supplemental"):
            assert isinstance(value, float)
            events.append(DoseRequested(t, Action(kind), value))
        elif kind == "override":
            assert isinstance(value, Action)
            events.append(OverrideGiven(t, value, "physician", "reviewed"))
        elif kind == "acknowledge":
            events.append(AlertsAcknowledged(t, "physician"))
        else:
            events.append(DischargeRequested(t, DischargePlan(True, bool(value), False)))
    return events


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 90), kinds), max_size=30))
def test_no_sequence_of_entries_breaks_the_dose_limits(
    steps: list[tuple[int, tuple[str, object]]],
) -> None:
    state = start(1, PATIENT, READY, RULES)
    requests = decisions = 0
    for event in build(steps):
        if state.discharged_at is not None:
            break
        state, out = apply(state, event, RULES)
        requests += isinstance(event, DoseRequested | DischargeRequested)
        decisions += len(out.decisions)
        # One alert per parameter per reading at most, and only readings raise alerts.
        params = [a.alert.parameter for a in out.alerts]
        assert len(params) == len(set(params))
        assert not out.alerts or isinstance(event, VitalsTaken)
        assert len(out.vitals_due) == int(isinstance(event, VitalsTaken))
        # Whatever happened, the doses given stay inside the protocol.
        assert state.total_mg <= RULES.session_cap_mg.value
        if state.initial is not None:
            assert state.initial.mg == 80
        if state.supplemental is not None:
            assert state.initial is not None
            assert state.supplemental.mg <= state.initial.mg / 2
            elapsed = state.supplemental.t - state.initial.t
            assert timedelta(hours=1.5) <= elapsed <= timedelta(hours=2.5)
        if state.discharged_at is not None:
            assert state.initial is not None
            assert state.discharged_at - state.initial.t >= timedelta(hours=8)
    assert decisions == requests


low_and_high = st.builds(
    VitalSigns,
    systolic=st.integers(70, 200),
    diastolic=st.integers(40, 65),
    heart_rate=st.integers(35, 160),
    temperature_c=st.sampled_from([None, 34.8, 35.4, 36.5, 38.0, 39.2]),
    spo2=st.sampled_from([None, 88, 92, 97]),
)
kinds_9 = st.one_of(
    low_and_high.map(lambda r: ("vitals", r)),
    st.sampled_from([80.0]).map(lambda mg: ("initial", mg)),
    st.sampled_from([40.0]).map(lambda mg: ("supplemental", mg)),
    st.sampled_from(list(Action)).map(lambda a: ("override", a)),
    st.just(("acknowledge", None)),
    st.booleans().map(lambda escort: ("discharge", escort)),
)


def _decisions(events: list[Event]) -> list[tuple[bool, frozenset[str]]]:
    state = start(1, PATIENT, READY, RULES)
    out: list[tuple[bool, frozenset[str]]] = []
    for event in events:
        if state.discharged_at is not None:
            break
        state, outputs = apply(state, event, RULES)
        out += [(d.allowed, frozenset(r.code for r in d.reasons)) for d in outputs.decisions]
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 90), kinds_9), max_size=30))
def test_an_acknowledgement_changes_no_decision(
    steps: list[tuple[int, tuple[str, object]]],
) -> None:
    # Issue 9 replay contract: "acknowledge changes no decision".
    events = build(steps)
    without = [e for e in events if not isinstance(e, AlertsAcknowledged)]
    assert _decisions(events) == _decisions(without)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 90), kinds_9), max_size=30))
def test_no_dose_is_given_while_a_critical_alert_is_active(
    steps: list[tuple[int, tuple[str, object]]],
) -> None:
    # Issue 9 item 2: a critical alert is a hard stop, whatever override or acknowledgement.
    state = start(1, PATIENT, READY, RULES)
    for event in build(steps):
        if state.discharged_at is not None:
            break
        critical = bool(state.alerts.critical())
        state, out = apply(state, event, RULES)
        if critical and isinstance(event, DoseRequested | DischargeRequested):
            assert not out.decisions[0].allowed
            assert "critical_alert_active" in {r.code for r in out.decisions[0].reasons}
