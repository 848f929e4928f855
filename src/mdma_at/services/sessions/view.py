"""What the console and the printable record show, computed from a session file (pure).

The dose and discharge buttons show the engine's answer *as of* a time (now, or the time being
entered), so a disabled button names the rules that refuse it. The chart carries the readings,
the alert limits and the expected band of the PK model (docs/pk-model.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mdma_at.domain.dosing import Action, Decision, DosingRules, SessionState, evaluate
from mdma_at.domain.dosing.discharge import DischargePlan
from mdma_at.domain.dosing.entries import Step, with_records
from mdma_at.domain.dosing.events import DischargeRequested, DoseRequested
from mdma_at.domain.dosing.plain import PARAMETER_WORDS, PlainReason, plain_reason
from mdma_at.domain.dosing.records import EntryKind, SessionEntry
from mdma_at.domain.dosing.session_facts import clock, stamp
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.pk import BandExcursion, ExpectedVitals, above_band, doses_after
from mdma_at.domain.pk import expected_trajectory as pk_trajectory
from mdma_at.domain.vitals import VitalsDue, VitalSigns
from mdma_at.domain.vitals.alerts import ActiveAlert
from mdma_at.domain.vitals.classification import Threshold
from mdma_at.domain.vitals.readings import Parameter
from mdma_at.services.sessions.recording import SessionFile

BAND_HOURS = 10.0  # the chart's expected band covers the 8-hour session and a margin
BAND_EVERY_MINUTES = 5


def _duration(delta: timedelta) -> str:
    """A protocol duration as the clinic says it: ``8 h``, ``30 min``."""
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


_SHOWN = {  # how the console names each parameter, and its unit
    Parameter.SYSTOLIC: ("systolic", " mmHg"),
    Parameter.DIASTOLIC: ("diastolic", " mmHg"),
    Parameter.HEART_RATE: ("heart rate", "/min"),
    Parameter.TEMPERATURE: ("temperature", " °C"),
    Parameter.SPO2: ("SpO2", " %"),
}


def _limits(side: dict[Parameter, Threshold]) -> str:
    return ", ".join(
        f"{_SHOWN[parameter][0]} {limit.describe()}{_SHOWN[parameter][1]}"
        for parameter, limit in side.items()
    )


def limits_text(rules: DosingRules) -> tuple[tuple[str, str], ...]:
    """The limits the console's decisions use, as the clinic reads them: (what, the limits).
    Rendered from the session's rules (the site's values), never restated in a template."""
    th = rules.thresholds
    gate = rules.pre_dose.bp_gate
    tier = rules.supplemental.bp_below
    return (
        ("Caution alert", f"{_limits(th.caution)}; {_limits(th.low_caution)}"),
        ("Critical alert", f"{_limits(th.critical)}; {_limits(th.low_critical)}"),
        (
            "Blood pressure for a dose",
            f"initial: ≥ {gate.approval_systolic:g}/{gate.approval_diastolic:g} mmHg needs a "
            f"physician, ≥ {gate.refuse_systolic:g}/{gate.refuse_diastolic:g} mmHg no dose; "
            f"supplemental: below {tier.systolic:g}/{tier.diastolic:g} mmHg or a physician "
            "overrides",
        ),
    )


def discharge_checklist_items(rules: DosingRules) -> tuple[tuple[str, frozenset[str]], ...]:
    """The discharge checklist (issue 9, item 4): each line and the reason codes that leave it
    unmet. The numbers come from the protocol, never restated here."""
    dis = rules.discharge
    return (
        (
            f"At least {_duration(dis.min_after_initial.value)} after the initial dose",
            frozenset({"discharge_too_early", "no_initial_dose"}),
        ),
        (
            f"A reading within {_duration(dis.vitals_fresh_for.value)} and a temperature within "
            f"{_duration(dis.temperature_fresh_for.value)}",
            frozenset({"vitals_missing", "vitals_stale", "temperature_stale"}),
        ),
        ("Latest reading inside both caution limits", frozenset({"vitals_out_of_range"})),
        ("No active vital-sign alert", frozenset({"alert_active", "critical_alert_active"})),
        (
            f"Systolic and heart rate at most {dis.near_baseline.value:g} above the pre-dose "
            "reading",
            frozenset({"not_near_baseline"}),
        ),
        (
            f"{rules.distress.name} within {_duration(dis.distress_fresh_for.value)}, not above "
            "the pre-dose rating",
            frozenset({"distress_stale", "distress_above_baseline"}),
        ),
        (
            f"C-SSRS screener within {_duration(dis.cssrs_fresh_for.value)}: not high "
            "(moderate needs an override)",
            frozenset({"cssrs_missing", "cssrs_high", "cssrs_moderate"}),
        ),
        (
            "Serious or special-interest adverse events reviewed",
            frozenset({"adverse_event_review"}),
        ),
    )


@dataclass(frozen=True, slots=True)
class Button:
    """A dose or discharge button: allowed as of the console's time, or why not."""

    action: Action
    label: str
    mg: float | None
    decision: Decision | None
    blocked: str | None = None  # why the rules cannot even be asked (closed, out of order)

    @property
    def enabled(self) -> bool:
        return self.blocked is None and self.decision is not None and self.decision.allowed

    def plain(self, zone: ZoneInfo) -> tuple[PlainReason, ...]:
        """The decision's reasons as sentences on the site's clock (issue 13, item 1)."""
        if self.decision is None:
            return ()
        return tuple(plain_reason(r, self.action, zone) for r in self.decision.reasons)

    @property
    def codes(self) -> frozenset[str]:
        if self.decision is None:
            return frozenset()
        return frozenset(r.code for r in self.decision.reasons if r.lifted_by is None)


@dataclass(frozen=True, slots=True)
class VitalsRow:
    entry: SessionEntry
    reading: VitalSigns
    alerts: tuple[str, ...]
    level: str | None
    expected: ExpectedVitals | None
    above_band: tuple[BandExcursion, ...]


@dataclass(frozen=True, slots=True)
class CriticalReading:
    """What the critical banner says of one active critical alert: the parameter in words, the
    value that raised it (the latest reading at or above the critical limit) and its time."""

    parameter: str
    value: str
    unit: str
    t: datetime
    limit: str  # the protocol's critical limit as the rules describe it (e.g. "≥ 180")


@dataclass(frozen=True, slots=True)
class ConsoleView:
    file: SessionFile
    rules: DosingRules
    now: datetime
    as_of: datetime
    buttons: dict[Action, Button]
    initial_options: tuple[Button, ...]
    discharge_checklist: tuple[tuple[str, bool], ...]
    next_due: VitalsDue | None
    active_alerts: tuple[ActiveAlert, ...]
    vitals: tuple[VitalsRow, ...]
    log: tuple[tuple[SessionEntry, Step], ...]
    present: tuple[tuple[str, str], ...]
    chart: dict[str, Any]
    limits: tuple[tuple[str, str], ...]
    critical: tuple[CriticalReading, ...] = ()

    @property
    def state(self) -> Any:
        return self.file.folded.state

    @property
    def closed(self) -> bool:
        return self.file.session.closed

    @property
    def session_clock(self) -> str:
        """Time since the initial dose (``T+h:mm:ss``), or since the session started."""
        initial = self.state.initial
        if initial is not None:
            return "T+" + clock(self.as_of - initial.t)
        return clock(self.as_of - self.file.session.started_at) + " since start"

    @property
    def due_in(self) -> str | None:
        if self.next_due is None:
            return None
        return clock(self.next_due.due - self.as_of)

    @property
    def overdue(self) -> bool:
        return self.next_due is not None and self.as_of > self.next_due.due

    def entries(self, kind: EntryKind) -> tuple[SessionEntry, ...]:
        return tuple(e for e in self.file.entries if e.kind is kind)


def console_view(file: SessionFile, now: datetime, as_of: datetime | None = None) -> ConsoleView:
    """The console as of `as_of` (default `now`): buttons, due reading, alerts, chart, log."""
    rules = file.rules
    at = as_of or now
    state = file.folded.state
    if state.initial is None and file.records:
        # The initial request will read the records as they are now (issue 9, item 6).
        state = replace(state, checklist=with_records(state.checklist, file.records))
    doses = rules.initial_doses_for(file.session.session_number)
    initial_mg = doses[-1]
    if state.initial is not None:
        initial_mg = state.initial.mg
    supplemental_mg = initial_mg * rules.supplemental.max_fraction_of_initial.value
    blocked = None
    if file.session.closed and file.session.closed_at is not None:
        blocked = f"the session was closed by discharge at {stamp(file.session.closed_at)}"
    requests = {
        Action.INITIAL: ("Initial dose", initial_mg, DoseRequested(at, Action.INITIAL, initial_mg)),
        Action.SUPPLEMENTAL: (
            "Supplemental dose",
            supplemental_mg,
            DoseRequested(at, Action.SUPPLEMENTAL, supplemental_mg),
        ),
        Action.DISCHARGE: (
            "Discharge",
            None,
            DischargeRequested(at, DischargePlan(True, True, False)),
        ),
    }
    buttons: dict[Action, Button] = {}
    for action, (label, mg, request) in requests.items():
        if blocked is not None:
            buttons[action] = Button(action, label, mg, None, blocked)
            continue
        try:
            decision = evaluate(state, request, rules)  # type: ignore[arg-type]
        except InvalidInput as refused:
            buttons[action] = Button(action, label, mg, None, refused.reason)
            continue
        buttons[action] = Button(action, label, mg, decision)
    options = tuple(
        _button(state, rules, Action.INITIAL, "Initial dose", mg, blocked, at) for mg in doses
    )
    discharge = buttons[Action.DISCHARGE]
    # Before the initial dose nothing on the discharge checklist is met (issue 9, item 4).
    checklist = tuple(
        (
            label,
            state.initial is not None and discharge.blocked is None and not codes & discharge.codes,
        )
        for label, codes in discharge_checklist_items(rules)
    )
    vitals = _vitals_rows(file)
    return ConsoleView(
        file=file,
        rules=rules,
        now=now,
        as_of=at,
        buttons=buttons,
        initial_options=options,
        discharge_checklist=checklist,
        next_due=state.next_vitals,
        active_alerts=state.alerts.active,
        vitals=vitals,
        log=tuple(reversed(file.folded.steps)),
        present=_present(file.entries),
        chart=_chart(file, rules, vitals),
        limits=limits_text(rules),
        critical=_critical(file, state.alerts.active),
    )


_UNITS = {
    Parameter.SYSTOLIC: "mmHg",
    Parameter.DIASTOLIC: "mmHg",
    Parameter.HEART_RATE: "/min",
    Parameter.TEMPERATURE: "°C",
    Parameter.SPO2: "%",
}


def _critical(file: SessionFile, active: tuple[ActiveAlert, ...]) -> tuple[CriticalReading, ...]:
    """One line per active critical alert, from the latest reading that was critical for it."""
    lines: list[CriticalReading] = []
    for alert in active:
        if alert.level.value != "critical":
            continue
        for entry, step in reversed(file.folded.steps):
            raised = [
                a.alert
                for a in step.alerts
                if a.alert.parameter is alert.parameter and a.alert.level is alert.level
            ]
            if raised and entry.t >= alert.since:
                a = raised[0]
                reading = entry.payload
                bp = alert.parameter in (Parameter.SYSTOLIC, Parameter.DIASTOLIC)
                value = (
                    f"{reading['systolic']:g}/{reading['diastolic']:g}" if bp else f"{a.value:g}"
                )
                lines.append(
                    CriticalReading(
                        f"blood pressure ({alert.parameter.value})"
                        if bp
                        else PARAMETER_WORDS[alert.parameter],
                        value,
                        _UNITS[alert.parameter],
                        entry.t,
                        a.threshold.describe(),
                    )
                )
                break
    return tuple(lines)


def _button(
    state: SessionState,
    rules: DosingRules,
    action: Action,
    label: str,
    mg: float,
    blocked: str | None,
    at: datetime,
) -> Button:
    if blocked is not None:
        return Button(action, label, mg, None, blocked)
    try:
        return Button(action, label, mg, evaluate(state, DoseRequested(at, action, mg), rules))
    except InvalidInput as refused:
        return Button(action, label, mg, None, refused.reason)


def _baseline(file: SessionFile) -> VitalSigns | None:
    """The latest reading before the initial dose: the patient's own starting point."""
    initial = file.folded.state.initial
    if initial is None:
        return None
    before = [
        step.state.latest_vitals
        for entry, step in file.folded.steps
        if entry.kind is EntryKind.VITALS and entry.t <= initial.t
    ]
    latest = before[-1] if before else None
    return latest.reading if latest is not None else None


def expected_band(file: SessionFile) -> tuple[datetime, tuple[ExpectedVitals, ...]] | None:
    """The PK model's expected systolic BP and heart rate, from the initial dose, for the doses
    given; None before the initial dose or without a pre-dose reading."""
    state = file.folded.state
    baseline = _baseline(file)
    if state.initial is None or baseline is None:
        return None
    given = [(d.t, d.mg) for d in (state.initial, state.supplemental) if d is not None]
    doses = doses_after(state.initial.t, given)
    return state.initial.t, pk_trajectory(
        baseline, doses, until_h=BAND_HOURS, every_minutes=BAND_EVERY_MINUTES
    )


def _vitals_rows(file: SessionFile) -> tuple[VitalsRow, ...]:
    band = expected_band(file)
    rows = []
    for entry, step in file.folded.steps:
        if entry.kind is not EntryKind.VITALS or step.state.latest_vitals is None:
            continue
        reading = step.state.latest_vitals.reading
        expected = None
        excursions: tuple[BandExcursion, ...] = ()
        if band is not None and entry.t > band[0]:
            hours = (entry.t - band[0]).total_seconds() / 3600
            index = round(hours * 60 / BAND_EVERY_MINUTES)
            if index < len(band[1]):
                expected = band[1][index]
                excursions = above_band(reading, expected)
        level = None
        if step.alerts:
            level = max((a.alert.level for a in step.alerts), key=lambda lv: lv.rank).value
        rows.append(
            VitalsRow(
                entry,
                reading,
                tuple(
                    f"{a.alert.parameter} {a.alert.value:g} {a.alert.threshold.describe()} "
                    f"({a.alert.level})"
                    for a in step.alerts
                ),
                level,
                expected,
                excursions,
            )
        )
    return tuple(rows)


def _present(entries: tuple[SessionEntry, ...]) -> tuple[tuple[str, str], ...]:
    """Who is in the room now, from the presence entries (arrivals minus departures)."""
    here: dict[str, str] = {}
    for entry in entries:
        if entry.kind is EntryKind.PRESENCE:
            if entry.payload.get("change") == "left":
                here.pop(entry.payload["name"], None)
            else:
                here[entry.payload["name"]] = entry.payload["role"]
    return tuple(here.items())


def everyone_present(entries: tuple[SessionEntry, ...]) -> tuple[tuple[str, str, str], ...]:
    """Everyone who was present at some point: (name, role, when) for the record."""
    return tuple(
        (e.payload["name"], e.payload["role"], f"{e.payload.get('change', 'arrived')} {stamp(e.t)}")
        for e in entries
        if e.kind is EntryKind.PRESENCE
    )


def _epoch(t: datetime) -> float:
    return t.timestamp()


def _chart(file: SessionFile, rules: DosingRules, rows: tuple[VitalsRow, ...]) -> dict[str, Any]:
    """uPlot-ready columns: one x (epoch seconds) for readings and band, nulls where absent."""
    band = expected_band(file)
    points: dict[float, dict[str, float]] = {}
    for row in rows:
        points.setdefault(_epoch(row.entry.t), {}).update(
            {
                "systolic": row.reading.systolic,
                "diastolic": row.reading.diastolic,
                "heart_rate": row.reading.heart_rate,
            }
        )
    if band is not None:
        start, trajectory = band
        for e in trajectory:
            x = _epoch(start + timedelta(hours=e.t_h))
            points.setdefault(x, {}).update(
                {
                    "sbp_low": round(e.systolic_low, 1),
                    "sbp_high": round(e.systolic_high, 1),
                    "hr_low": round(e.heart_rate_low, 1),
                    "hr_high": round(e.heart_rate_high, 1),
                }
            )
    xs = sorted(points)
    names = ("systolic", "diastolic", "heart_rate", "sbp_low", "sbp_high", "hr_low", "hr_high")
    th = rules.thresholds
    return {
        "x": xs,
        **{name: [points[x].get(name) for x in xs] for name in names},
        "limits": {
            "systolic_caution": th.caution[Parameter.SYSTOLIC].limit,
            "systolic_critical": th.critical[Parameter.SYSTOLIC].limit,
            "heart_rate_caution": th.caution[Parameter.HEART_RATE].limit,
            "heart_rate_critical": th.critical[Parameter.HEART_RATE].limit,
            "temperature_caution": th.caution[Parameter.TEMPERATURE].limit,
            "temperature_critical": th.critical[Parameter.TEMPERATURE].limit,
            "systolic_low_caution": th.low_caution[Parameter.SYSTOLIC].limit,
            "heart_rate_low_caution": th.low_caution[Parameter.HEART_RATE].limit,
            "temperature_low_caution": th.low_caution[Parameter.TEMPERATURE].limit,
        },
        "temperature": {
            "x": [_epoch(r.entry.t) for r in rows if r.reading.temperature_c is not None],
            "y": [r.reading.temperature_c for r in rows if r.reading.temperature_c is not None],
        },
    }
