"""Session entries: raw input checked into stored payloads, and the fold that rebuilds the rules'
state from the stored entries (the same engine as `mdma-at session replay`, ADR 0050).

Pure: no clock, no storage; the services orchestrate (issue 12, item 2). Bad input raises
`InvalidInput` naming the field and the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from mdma_at.domain.adverse_events import AeAction, AeCategory, AeOutcome, AeSeverity, Relatedness
from mdma_at.domain.dosing import (
    Action,
    Decision,
    DosingRules,
    SessionState,
    apply,
    start,
    validate_mg,
)
from mdma_at.domain.dosing.amounts import validate_number
from mdma_at.domain.dosing.discharge import DischargePlan
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
from mdma_at.domain.dosing.ratings import validate_cssrs, validate_medications, validate_suds
from mdma_at.domain.dosing.records import DosingSession, EntryKind, SessionEntry
from mdma_at.domain.dosing.session import RaisedAlert, ensure_can_follow
from mdma_at.domain.dosing.session_facts import (
    PatientAtSession,
    PreDoseChecklist,
    stamp,
)
from mdma_at.domain.errors import InvalidInput, InvalidInputs
from mdma_at.domain.times import parse_entered_time, parse_time
from mdma_at.domain.vitals import VitalsDue, validate
from mdma_at.domain.vocabulary import CssrsRisk, MedicationUse, PregnancyTest, Sex

MAX_TEXT = 2000


class OverrideAction(StrEnum):
    INITIAL = "initial"
    SUPPLEMENTAL = "supplemental"
    DISCHARGE = "discharge"


class PresenceChange(StrEnum):
    ARRIVED = "arrived"
    LEFT = "left"


def _text(raw: Mapping[str, Any], name: str, *, required: bool) -> str:
    value = raw.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(name, f"{value!r} is not text")
    value = value.strip()
    if required and not value:
        raise InvalidInput(name, "is required")
    if len(value) > MAX_TEXT:
        raise InvalidInput(name, f"{len(value)} characters is more than {MAX_TEXT}")
    return value


def _flag(raw: Mapping[str, Any], name: str) -> bool:
    value = raw.get(name, False)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("", "false", "off", "no", "0"):
        return False
    if isinstance(value, str) and value.strip().lower() in ("true", "on", "yes", "1"):
        return True
    raise InvalidInput(name, f"{value!r} is not true or false")


def _choice(raw: Mapping[str, Any], name: str, kind: type[StrEnum], default: str | None) -> str:
    value = raw.get(name)
    if value is None or value == "":
        if default is None:
            raise InvalidInput(name, f"is required (one of {', '.join(kind)})")
        return default
    if value not in {k.value for k in kind}:
        raise InvalidInput(name, f"{value!r} is not one of {', '.join(kind)}")
    return str(value)


def _number(value: object, name: str, unit: str) -> float:
    return validate_number(_numeric_or_raw(value), name, unit)


def _numeric_or_raw(value: object) -> object:
    """Form fields arrive as text: a number's text becomes the number, anything else is kept
    so the domain's validation names it."""
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value
    return value


def _optional(value: object) -> object:
    """An optional form field: blank means not taken (None); anything else as for numbers."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _numeric_or_raw(value)


def check_payload(
    kind: EntryKind,
    raw: Mapping[str, Any],
    *,
    recorded_by_physician: bool,
    rules: DosingRules | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The payload to store for an entry of `kind`, or `InvalidInput` naming the field.

    A well-formed request the rules refuse is not bad input: 200 mg passes here.

    Args:
        rules: the session's protocol rules (the SUDS scale); without them a rating is only
            checked to be a number (the first, protocol-free pass of `record_entry`).
        today: the clock's date when recording live: a medication's last dose after it is bad
            input.
    """
    if kind is EntryKind.VITALS:
        reading = validate(
            _numeric_or_raw(raw.get("systolic")),
            _numeric_or_raw(raw.get("diastolic")),
            _numeric_or_raw(raw.get("heart_rate")),
            _optional(raw.get("temperature_c")),
            spo2=_optional(raw.get("spo2")),
        )
        return {
            "systolic": reading.systolic,
            "diastolic": reading.diastolic,
            "heart_rate": reading.heart_rate,
            "temperature_c": reading.temperature_c,
            "spo2": reading.spo2,
        }
    if kind is EntryKind.SUDS:
        value = _numeric_or_raw(raw.get("value"))
        if rules is None:
            return {"value": _number(value, "value", "SUDS points")}
        return {"value": validate_suds(value, rules.distress, "value")}
    if kind is EntryKind.CSSRS:
        return {"risk": validate_cssrs(raw.get("risk") or None, "risk").value}
    if kind in (EntryKind.REQUEST_INITIAL, EntryKind.REQUEST_SUPPLEMENTAL):
        return {"mg": validate_mg(_numeric_or_raw(raw.get("mg")), "mg")}
    if kind is EntryKind.REQUEST_DISCHARGE:
        # The sign-off is the physician's own act: ticked by anyone else it does not count.
        signed = _flag(raw, "physician_signoff") and recorded_by_physician
        return {
            "physician_signoff": signed,
            "escort": _flag(raw, "escort"),
            "overnight_stay": _flag(raw, "overnight_stay"),
        }
    if kind is EntryKind.OVERRIDE:
        return {
            "action": _choice(raw, "action", OverrideAction, None),
            "reason": _text(raw, "reason", required=True),
        }
    if kind in (EntryKind.ACKNOWLEDGE, EntryKind.ESCALATE):
        return {"note": _text(raw, "note", required=False)}
    if kind is EntryKind.NOTE:
        return {"text": _text(raw, "text", required=True)}
    if kind is EntryKind.ADDENDUM:
        return _addendum(raw)
    if kind is EntryKind.PRESENCE:
        return {
            "name": _text(raw, "name", required=True),
            "role": _text(raw, "role", required=True),
            "change": _choice(raw, "change", PresenceChange, PresenceChange.ARRIVED.value),
        }
    if kind is EntryKind.ADVERSE_EVENT:
        return _adverse_event(raw)
    if kind is EntryKind.CHECKLIST:
        return _checklist(raw, today)
    raise InvalidInput("kind", f"{kind!r} is not an entry kind")  # pragma: no cover


def _addendum(raw: Mapping[str, Any]) -> dict[str, Any]:
    """An addendum's text and its reason, both required; both are checked, so a form can mark
    both at once."""
    payload: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name in ("text", "reason"):
        try:
            payload[name] = _text(raw, name, required=True)
        except InvalidInput as wrong:
            problems.append((wrong.field, wrong.reason))
    InvalidInputs.raise_all(problems)
    return payload


def _adverse_event(raw: Mapping[str, Any]) -> dict[str, Any]:
    onset = parse_entered_time(raw.get("onset"), "onset")
    return {
        "term": _text(raw, "term", required=True),
        "category": _choice(raw, "category", AeCategory, AeCategory.OTHER.value),
        "onset": None if onset is None else stamp(onset),
        "severity": _choice(raw, "severity", AeSeverity, None),
        "serious": _flag(raw, "serious"),
        "special_interest": _flag(raw, "special_interest"),
        "relatedness": _choice(raw, "relatedness", Relatedness, None),
        "action": _choice(raw, "action", AeAction, AeAction.NONE.value),
        "outcome": _choice(raw, "outcome", AeOutcome, AeOutcome.NOT_RESOLVED.value),
        "solicited": _flag(raw, "solicited"),
    }


def check_onset(payload: Mapping[str, Any], started_at: datetime, at: datetime) -> None:
    """An adverse event of this session began during it: not before the session started (that
    is medical history, recorded at screening), not after the time the entry is recorded.

    Raises:
        InvalidInput: ``onset`` outside the session, naming both times.
    """
    onset = payload.get("onset")
    if onset is None:
        return
    when = parse_time(onset, "onset")
    if when < started_at:
        raise InvalidInput(
            "onset",
            f"{onset} is before the session started at {stamp(started_at)}: an event that began "
            "before the session is medical history, not an adverse event of this session",
        )
    if when > at:
        raise InvalidInput("onset", f"{onset} is after the entry's own time {stamp(at)}")


def _medications(value: object, today: date | None) -> list[dict[str, str]]:
    """Medications changed since the last session: a list of {name, last_dose} (API) or, from
    the console's form, one ``name, YYYY-MM-DD`` per line."""
    if isinstance(value, str):
        items: list[dict[str, str]] = []
        for line in value.splitlines():
            if not line.strip():
                continue
            name, _, last_dose = line.rpartition(",")
            items.append({"name": name.strip(), "last_dose": last_dose.strip()})
        value = items
    changes = validate_medications(value, "medications_changed", today)
    return [{"name": c.name, "last_dose": c.last_dose.isoformat()} for c in changes]


def _test_date(value: object, today: date | None) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        on = date.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        on = None
    if on is None:
        raise InvalidInput("pregnancy_test_date", f"{value!r} is not an ISO date (YYYY-MM-DD)")
    if today is not None and on > today:
        raise InvalidInput(
            "pregnancy_test_date",
            f"{on.isoformat()} is in the future (today {today.isoformat()})",
        )
    return on.isoformat()


def _checklist(raw: Mapping[str, Any], today: date | None = None) -> dict[str, Any]:
    fasting = _number(raw.get("fasting_hours", 0), "fasting_hours", "hours")
    if fasting < 0:
        raise InvalidInput("fasting_hours", f"{fasting:g} h is negative")
    providers = _number(raw.get("providers_present", 0), "providers_present", "providers")
    if providers < 0 or not providers.is_integer():
        raise InvalidInput("providers_present", f"{providers:g} is not a count of providers")
    cssrs = raw.get("cssrs_risk") or None
    if cssrs is not None and cssrs not in {c.value for c in CssrsRisk}:
        raise InvalidInput("cssrs_risk", f"{cssrs!r} is not one of {', '.join(CssrsRisk)}")
    return {
        "consent_current": _flag(raw, "consent_current"),
        "eligibility_signed": _flag(raw, "eligibility_signed"),
        "washout_complete": _flag(raw, "washout_complete"),
        "fasting_hours": fasting,
        "cssrs_risk": cssrs,
        "providers_present": int(providers),
        "pregnancy_test": _choice(
            raw, "pregnancy_test", PregnancyTest, PregnancyTest.NOT_DONE.value
        ),
        "pregnancy_test_date": _test_date(raw.get("pregnancy_test_date"), today),
        "medications_changed": _medications(raw.get("medications_changed"), today),
    }


def checklist_of(payload: Mapping[str, Any]) -> PreDoseChecklist:
    cssrs = payload.get("cssrs_risk")
    test_on = payload.get("pregnancy_test_date")
    return PreDoseChecklist(
        consent_current=bool(payload["consent_current"]),
        eligibility_signed=bool(payload["eligibility_signed"]),
        washout_complete=bool(payload["washout_complete"]),
        fasting_hours=float(payload["fasting_hours"]),
        cssrs_risk=CssrsRisk(cssrs) if cssrs else None,
        providers_present=int(payload["providers_present"]),
        pregnancy_test=PregnancyTest(payload["pregnancy_test"]),
        pregnancy_test_on=date.fromisoformat(test_on) if test_on else None,
        safety_alert_open=bool(payload.get("safety_alert_open", False)),
        medications_changed=tuple(
            MedicationUse(m["name"], date.fromisoformat(m["last_dose"]))
            for m in payload.get("medications_changed", ())
        ),
    )


def with_records(checklist: PreDoseChecklist, records: Mapping[str, Any]) -> PreDoseChecklist:
    """The checklist with what the patient's records said at the initial request (issue 9,
    item 6): today's C-SSRS from the administrations and whether a safety alert is open."""
    cssrs = records.get("cssrs_risk")
    return replace(
        checklist,
        cssrs_risk=CssrsRisk(cssrs) if cssrs else None,
        safety_alert_open=bool(records.get("safety_alert_open", False)),
    )


def engine_event(
    kind: EntryKind, t: datetime, payload: Mapping[str, Any], role: str | None
) -> Event | None:
    """The engine's event for an entry, or None for entries no rule reads (notes, presence,
    escalations, the checklist, which replaces the state's checklist instead)."""
    if kind is EntryKind.VITALS:
        reading = validate(
            payload["systolic"],
            payload["diastolic"],
            payload["heart_rate"],
            payload.get("temperature_c"),
            spo2=payload.get("spo2"),
        )
        return VitalsTaken(t, reading)
    if kind is EntryKind.SUDS:
        return DistressRated(t, float(payload["value"]))
    if kind is EntryKind.CSSRS:
        return CssrsScreened(t, CssrsRisk(payload["risk"]))
    if kind is EntryKind.REQUEST_INITIAL:
        return DoseRequested(t, Action.INITIAL, float(payload["mg"]))
    if kind is EntryKind.REQUEST_SUPPLEMENTAL:
        return DoseRequested(t, Action.SUPPLEMENTAL, float(payload["mg"]))
    if kind is EntryKind.REQUEST_DISCHARGE:
        plan = DischargePlan(
            bool(payload["physician_signoff"]),
            bool(payload["escort"]),
            bool(payload["overnight_stay"]),
        )
        return DischargeRequested(t, plan)
    if kind is EntryKind.OVERRIDE:
        return OverrideGiven(t, Action(payload["action"]), role or "", str(payload["reason"]))
    if kind is EntryKind.ACKNOWLEDGE:
        return AlertsAcknowledged(t, role or "")
    if kind is EntryKind.ADVERSE_EVENT:
        return AdverseEventNoted(
            t,
            str(payload["term"]),
            payload.get("severity"),
            payload.get("serious"),
            payload.get("relatedness"),
            payload.get("special_interest"),
        )
    return None


@dataclass(frozen=True, slots=True)
class Step:
    """What one entry did: the state after it, the alerts it raised, its decision, the next
    reading due (vitals only)."""

    state: SessionState
    alerts: tuple[RaisedAlert, ...] = ()
    decision: Decision | None = None
    due: VitalsDue | None = None


def begin(session: DosingSession, sex: str, rules: DosingRules) -> SessionState:
    """The state before any entry: the patient as the session needs them, nothing confirmed."""
    patient = PatientAtSession(
        Sex(sex) if sex in {s.value for s in Sex} else Sex.OTHER,
        session.weight_kg,
        session.childbearing_potential,
    )
    return start(session.session_number, patient, PreDoseChecklist(), rules)


def step(
    state: SessionState,
    kind: EntryKind,
    t: datetime,
    payload: Mapping[str, Any],
    role: str | None,
    rules: DosingRules,
) -> Step:
    """Apply one entry. Every entry, even one no rule reads, must follow the previous one in
    time and cannot follow an allowed discharge (bad input, the same messages as the engine)."""
    if kind is EntryKind.ADDENDUM:
        # Written after the session closed: on the record, never in the decisions (issue 13,
        # item 5). The state, the time order and the closure are left as they were.
        return Step(state)
    event = engine_event(kind, t, payload, role)
    if kind is EntryKind.REQUEST_INITIAL and "records" in payload:
        state = replace(state, checklist=with_records(state.checklist, payload["records"]))
    if event is not None:
        new_state, out = apply(state, event, rules)
        return Step(
            new_state,
            out.alerts,
            out.decisions[0] if out.decisions else None,
            out.vitals_due[0] if out.vitals_due else None,
        )
    ensure_can_follow(t, state.last_event_at, state.discharged_at)
    new_state = replace(state, last_event_at=t)
    if kind is EntryKind.CHECKLIST:
        new_state = replace(new_state, checklist=checklist_of(payload))
    return Step(new_state)


@dataclass(frozen=True, slots=True)
class Folded:
    """The state after every stored entry, and each entry's step (same order)."""

    state: SessionState
    steps: tuple[tuple[SessionEntry, Step], ...]


def fold(
    session: DosingSession, sex: str, entries: Iterable[SessionEntry], rules: DosingRules
) -> Folded:
    """Rebuild the rules' state from the stored entries, in the order they were recorded."""
    return fold_more(Folded(begin(session, sex, rules), ()), entries, rules)


def fold_more(folded: Folded, entries: Iterable[SessionEntry], rules: DosingRules) -> Folded:
    """`folded` carried on over the entries recorded after it, in order: a left fold, so
    ``fold_more(fold(s, x, a, r), b, r) == fold(s, x, [*a, *b], r)`` (the kept fold of
    services.sessions.folds rests on this)."""
    state = folded.state
    steps = list(folded.steps)
    for entry in entries:
        result = step(state, entry.kind, entry.t, entry.payload, entry.role, rules)
        state = result.state
        steps.append((entry, result))
    return Folded(state, tuple(steps))


def is_physician(role: str | None) -> bool:
    return role == PHYSICIAN
