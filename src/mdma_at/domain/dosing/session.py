"""The dosing-session engine: a frozen state and `apply(state, event, rules)`.

The live console and `mdma-at session replay` use the same function; the replay is a fold over
the events of a timeline. `apply` never reads the clock: time comes with each event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from mdma_at.domain.dosing.decisions import Action, Decision, Lift, decide
from mdma_at.domain.dosing.discharge import discharge_refusals
from mdma_at.domain.dosing.events import (
    PHYSICIAN,
    AdverseEventNoted,
    AlertsAcknowledged,
    CssrsScreened,
    DischargeRequested,
    DistressRated,
    DoseRequested,
    Event,
    OverrideGiven,
    VitalsTaken,
)
from mdma_at.domain.dosing.initial import initial_refusals
from mdma_at.domain.dosing.rules import DosingRules
from mdma_at.domain.dosing.session_facts import (
    GatingAdverseEvent,
    GivenDose,
    PatientAtSession,
    PreDoseChecklist,
    TimedRisk,
    TimedValue,
    TimedVitals,
    stamp,
)
from mdma_at.domain.dosing.supplemental import supplemental_refusals
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.vitals.alerts import AlertState
from mdma_at.domain.vitals.classification import VitalAlert, classify
from mdma_at.domain.vitals.readings import Parameter
from mdma_at.domain.vitals.schedule import VitalsDue, next_due


@dataclass(frozen=True, slots=True)
class PendingOverride:
    """A physician override waiting for the next request of its action."""

    t: datetime
    action: Action
    reason: str
    by_role: str = PHYSICIAN


@dataclass(frozen=True, slots=True)
class SessionState:
    """Everything the rules need to know about a session so far.

    Build the first state with `start`; every later state comes from `apply`.
    """

    session_number: int
    patient: PatientAtSession
    checklist: PreDoseChecklist
    alerts: AlertState
    latest_vitals: TimedVitals | None = None
    latest_temperature: TimedValue | None = None
    latest_suds: TimedValue | None = None
    latest_cssrs: TimedRisk | None = None
    baseline: TimedVitals | None = None  # the latest reading before the initial dose
    baseline_suds: TimedValue | None = None  # the latest SUDS before the initial dose
    gating_aes: tuple[GatingAdverseEvent, ...] = ()
    initial: GivenDose | None = None
    supplemental: GivenDose | None = None
    overrides: tuple[PendingOverride, ...] = ()
    last_event_at: datetime | None = None
    discharged_at: datetime | None = None
    next_vitals: VitalsDue | None = None

    @property
    def total_mg(self) -> float:
        """Milligrams given so far in the session."""
        return sum(d.mg for d in (self.initial, self.supplemental) if d is not None)


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    """An alert raised by the reading taken at `t`."""

    t: datetime
    alert: VitalAlert


@dataclass(frozen=True, slots=True)
class Outputs:
    """What one event produced: the alerts of a reading, the decision on a request, the next
    measurement due after a reading. (An acknowledgement changes `SessionState.next_vitals`
    but emits no item: `vitals_due` has one item per reading.)"""

    alerts: tuple[RaisedAlert, ...] = ()
    decisions: tuple[Decision, ...] = ()
    vitals_due: tuple[VitalsDue, ...] = ()


def start(
    session_number: int, patient: PatientAtSession, checklist: PreDoseChecklist, rules: DosingRules
) -> SessionState:
    """The state of a session before anything happened.

    Raises:
        InvalidInput: `session_number` outside the protocol's sessions.
    """
    rules.initial_dose_for(session_number)
    return SessionState(
        session_number=session_number,
        patient=patient,
        checklist=checklist,
        alerts=AlertState(readings_to_clear=rules.readings_to_clear.value),
    )


def ensure_can_follow(
    t: datetime, last_event_at: datetime | None, discharged_at: datetime | None
) -> None:
    """Refuse an entry at `t` that is earlier than the previous one, or that follows the
    discharge that closed the session: one check for the engine, the entries no rule reads and
    the stored session.

    Raises:
        InvalidInput: field ``t`` (out of time order) or ``session`` (closed by discharge).
    """
    if last_event_at is not None and t < last_event_at:
        raise InvalidInput(
            "t",
            f"{stamp(t)} is before the previous event at {stamp(last_event_at)}: "
            "events must be in time order",
        )
    if discharged_at is not None:
        raise InvalidInput(
            "session",
            f"the session was closed by discharge at {stamp(discharged_at)}; "
            "no entry can follow it",
        )


def apply(state: SessionState, event: Event, rules: DosingRules) -> tuple[SessionState, Outputs]:
    """The state after `event`, and what it produced.

    Raises:
        InvalidInput: the event is earlier than the previous one (field ``t``), or the session
            was closed by an allowed discharge (field ``session``). Nothing changes.
    """
    ensure_can_follow(event.t, state.last_event_at, state.discharged_at)
    state = replace(state, last_event_at=event.t)
    if isinstance(event, VitalsTaken):
        return _vitals(state, event, rules)
    if isinstance(event, DoseRequested):
        return _dose(state, event, rules)
    if isinstance(event, DischargeRequested):
        return _discharge(state, event, rules)
    if isinstance(event, OverrideGiven):
        if event.by_role != PHYSICIAN:
            return state, Outputs()
        others = tuple(o for o in state.overrides if o.action is not event.action)
        pending = PendingOverride(event.t, event.action, event.reason, event.by_role)
        return replace(state, overrides=(*others, pending)), Outputs()
    if isinstance(event, AlertsAcknowledged):
        return _acknowledge(state, event)
    if isinstance(event, AdverseEventNoted):
        return _adverse_event(state, event, rules), Outputs()
    if isinstance(event, DistressRated):
        return replace(state, latest_suds=TimedValue(event.t, event.value)), Outputs()
    if isinstance(event, CssrsScreened):
        return replace(state, latest_cssrs=TimedRisk(event.t, event.risk)), Outputs()
    raise TypeError(f"not a session event: {event!r}")  # pragma: no cover - exhaustive union


def _vitals(
    state: SessionState, event: VitalsTaken, rules: DosingRules
) -> tuple[SessionState, Outputs]:
    alerts = classify(event.reading, rules.thresholds)
    measured = [p for p in Parameter if event.reading.value(p) is not None]
    alert_state = state.alerts.after_reading(event.t, alerts, measured)
    initial_at = state.initial.t if state.initial is not None else None
    due = next_due(event.t, initial_at, alert_state.level, rules.schedule, alert_state.paging)
    temperature = event.reading.temperature_c
    new_state = replace(
        state,
        latest_vitals=TimedVitals(event.t, event.reading),
        latest_temperature=(
            state.latest_temperature if temperature is None else TimedValue(event.t, temperature)
        ),
        alerts=alert_state,
        next_vitals=due,
    )
    raised = tuple(RaisedAlert(event.t, a) for a in alerts)
    return new_state, Outputs(alerts=raised, vitals_due=(due,))


def _adverse_event(
    state: SessionState, event: AdverseEventNoted, rules: DosingRules
) -> SessionState:
    """Keep the serious and special-interest AEs: the AE gate reads them (issue 9, item 5)."""
    special = bool(event.special_interest) or rules.adverse_events.is_special_interest(event.term)
    why = [
        w for w, flag in (("serious", bool(event.serious)), ("special interest", special)) if flag
    ]
    if not why:
        return state
    gating = GatingAdverseEvent(event.t, event.term, " and ".join(why))
    return replace(state, gating_aes=(*state.gating_aes, gating))


def _take_override(state: SessionState, action: Action) -> tuple[SessionState, Lift | None]:
    """The pending override of `action`, consumed by this request whatever its outcome."""
    for override in state.overrides:
        if override.action is action:
            rest = tuple(o for o in state.overrides if o is not override)
            lift = Lift(override.t, override.by_role, override.reason)
            return replace(state, overrides=rest), lift
    return state, None


def _dose(
    state: SessionState, event: DoseRequested, rules: DosingRules
) -> tuple[SessionState, Outputs]:
    state, override = _take_override(state, event.action)
    if event.action is Action.INITIAL:
        refusals = initial_refusals(event.t, event.mg, state, rules)
    else:
        refusals = supplemental_refusals(event.t, event.mg, state, rules)
    decision = decide(event.t, event.action, refusals, override, event.mg)
    if decision.allowed:
        given = GivenDose(event.t, event.mg)
        if event.action is Action.INITIAL:
            # The pre-dose baseline that discharge compares with (issue 9, item 4).
            state = replace(
                state, initial=given, baseline=state.latest_vitals, baseline_suds=state.latest_suds
            )
        else:
            state = replace(state, supplemental=given)
    return state, Outputs(decisions=(decision,))


def _discharge(
    state: SessionState, event: DischargeRequested, rules: DosingRules
) -> tuple[SessionState, Outputs]:
    state, override = _take_override(state, Action.DISCHARGE)
    refusals = discharge_refusals(event.t, event.plan, state, rules)
    decision = decide(event.t, Action.DISCHARGE, refusals, override)
    if decision.allowed:
        state = replace(state, discharged_at=event.t, next_vitals=None)
    return state, Outputs(decisions=(decision,))


def _acknowledge(state: SessionState, event: AlertsAcknowledged) -> tuple[SessionState, Outputs]:
    if event.by_role != PHYSICIAN or not state.alerts.active:
        return state, Outputs()
    # Seen, not resolved: the alerts stay active for every gate and the interval stays the
    # alert's; only the paging stops until a new critical reading (issue 9, item 1).
    state = replace(state, alerts=state.alerts.acknowledged(event.t))
    if state.next_vitals is not None:
        state = replace(state, next_vitals=replace(state.next_vitals, page_physician=False))
    return state, Outputs()


def evaluate(
    state: SessionState, request: DoseRequested | DischargeRequested, rules: DosingRules
) -> Decision:
    """What the rules would answer to `request` now, without recording anything.

    The console calls this to show why a dose or discharge button is disabled; a pending
    override is taken into account but not consumed.
    """
    _, outputs = apply(state, request, rules)
    return outputs.decisions[0]
