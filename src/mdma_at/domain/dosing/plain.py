"""The engine's reasons as sentences a nurse reads at the bedside (issue 13, item 1).

One place turns a `Reason` into words: "Supplemental dose not yet: the blood pressure alert from
10:10 is still active." The values, limits and times come from the reason's `facts` (the rules'
own numbers, never restated here); times are shown on the site's clock (`zone`). The rule's code
and source stay on the reason for the page to show one click away.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from mdma_at.domain.dosing.decisions import Action, Liftable, Reason
from mdma_at.domain.dosing.session_facts import GatingAdverseEvent
from mdma_at.domain.local_time import local_time
from mdma_at.domain.sources import for_clinicians
from mdma_at.domain.vitals.alerts import ActiveAlert
from mdma_at.domain.vitals.readings import Parameter

#: What the request is called in a sentence.
_ACTION = {
    Action.INITIAL: "Initial dose",
    Action.SUPPLEMENTAL: "Supplemental dose",
    Action.DISCHARGE: "Discharge",
}

#: Parameters as the room says them (both pressures are "the blood pressure").
PARAMETER_WORDS = {
    Parameter.SYSTOLIC: "blood pressure",
    Parameter.DIASTOLIC: "blood pressure",
    Parameter.HEART_RATE: "heart rate",
    Parameter.TEMPERATURE: "temperature",
    Parameter.SPO2: "oxygen saturation",
}

#: Reasons that waiting will not change: the sentence says "not possible", not "not yet".
_FINAL = frozenset(
    {
        "initial_already_given",
        "supplemental_already_given",
        "supplemental_above_half",
        "session_cap",
        "initial_dose_amount",
        "adverse_event_hold",
    }
)


@dataclass(frozen=True, slots=True)
class PlainReason:
    """A reason in words, with what the page shows one click away."""

    sentence: str
    code: str
    source: str
    liftable: bool
    lifted_by: str | None  # the override's reason, when one lifted it


def _num(x: object) -> str:
    return f"{x:g}" if isinstance(x, float | int) else str(x)


def _minutes(delta: object) -> str:
    if not isinstance(delta, timedelta):
        return ""
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 and minutes >= 60 else f"{minutes} min"


def _alerts(alerts: object, at: Callable[[datetime], str]) -> str:
    found: Sequence[ActiveAlert] = alerts if isinstance(alerts, tuple) else ()
    parts = []
    for a in found:
        words = PARAMETER_WORDS[a.parameter]
        side = "low " if a.direction.value == "low" else ""
        parts.append(f"the {side}{words} alert from {at(a.since)}")
    listed = sorted(set(parts), key=parts.index)
    if not listed:
        return "a vital-sign alert"
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def _events(events: object, at: Callable[[datetime], str]) -> str:
    found: Sequence[GatingAdverseEvent] = events if isinstance(events, tuple) else ()
    return "; ".join(f"{e.term} ({e.why}) at {at(e.t)}" for e in found) or "an adverse event"


def _clause(reason: Reason, at: Callable[[datetime], str]) -> str | None:
    """The part after "not yet:", or None to fall back on the engine's own message."""
    f = reason.facts
    t = f.get("at")
    when = at(t) if isinstance(t, datetime) else ""
    code = reason.code
    if code == "critical_alert_active":
        alerts = _alerts(f.get("alerts"), at)
        verb = "are" if " and " in alerts else "is"
        return f"{alerts} {verb} still active and critical: no dose and no override until it clears"
    if code == "alert_active":
        alerts = _alerts(f.get("alerts"), at)
        verb = "are" if " and " in alerts else "is"
        return f"{alerts} {verb} still active"
    if code == "vitals_missing":
        return "no vital signs have been recorded yet: take a set first"
    if code == "vitals_stale" and when:
        return (
            f"the last vital signs were at {when}, more than {_minutes(f.get('fresh_for'))} ago:"
            " take a new set"
        )
    if code == "temperature_stale":
        fresh = _minutes(f.get("fresh_for"))
        if when:
            return f"the last temperature was at {when}, more than {fresh} ago: take it again"
        return f"no temperature yet: one taken within {fresh} is needed"
    if code == "supplemental_window":
        opens, closed = f.get("opens_at"), f.get("closed_at")
        if isinstance(opens, datetime):
            return f"the window for it opens at {at(opens)}"
        if isinstance(closed, datetime):
            return f"the window for it closed at {at(closed)}"
    if code == "no_initial_dose":
        return "the initial dose has not been given"
    if code in ("initial_already_given", "supplemental_already_given") and when:
        return f"it was already given at {when}"
    if code in ("bp_needs_physician", "bp_no_dose") and when:
        value, limit = f.get("value"), f.get("limit")
        tail = (
            "no dose, even with an override"
            if code == "bp_no_dose"
            else "a physician must approve it (override with a reason)"
        )
        return f"the blood pressure at {when} was {value} mmHg, at or above {limit}: {tail}"
    if code in ("supplemental_above_half", "session_cap"):
        limit = f.get("limit_mg")
        if isinstance(limit, float | int):
            what = "half the initial dose" if code == "supplemental_above_half" else "the cap"
            return f"it would go over {what} ({limit:g} mg)"
    if code == "adverse_event_hold":
        return f"an adverse event since the initial dose ({_events(f.get('events'), at)})"
    if code == "adverse_event_review":
        return f"a physician must first review {_events(f.get('events'), at)}"
    if code == "discharge_too_early":
        start = f.get("from")
        if isinstance(start, datetime):
            return f"the earliest discharge is at {at(start)}"
    if code == "vitals_out_of_range" and when:
        return f"the reading at {when} is outside the caution limits ({f.get('listed')})"
    if code == "distress_above_baseline" and when:
        value, limit = _num(f.get("value")), _num(f.get("limit"))
        return f"distress at {when} was {value}, above the pre-dose {limit}"
    if code in ("cssrs_high", "cssrs_moderate") and when:
        risk = "high" if code == "cssrs_high" else "moderate (a physician override can lift this)"
        return f"the C-SSRS screener at {when} showed {risk} risk"
    if code == "medication_washout":
        clear = f.get("clear_on")
        if isinstance(clear, date):
            return f"{f.get('name')} needs its washout: not before {clear.strftime('%d %b %Y')}"
    return None


def plain_reason(reason: Reason, action: Action, zone: ZoneInfo) -> PlainReason:
    """One reason as a sentence on the site's clock (`zone`)."""

    def at(t: datetime) -> str:
        return local_time(t, zone, "%H:%M")

    clause = _clause(reason, at) or reason.message
    if reason.liftable is Liftable.BY_OVERRIDE and "override" not in clause:
        clause += " (a physician override with a reason can lift this)"
    verb = "not possible" if reason.code in _FINAL else "not yet"
    sentence = f"{_ACTION[action]} {verb}: {clause}."
    return PlainReason(
        sentence=sentence,
        code=reason.code,
        source=for_clinicians(str(reason.source)),
        liftable=reason.liftable is Liftable.BY_OVERRIDE,
        lifted_by=reason.lifted_by.reason if reason.lifted_by is not None else None,
    )
