"""Parsing a session timeline (the JSON of `mdma-at session replay`) into domain values.

Every malformed part raises `InvalidInput` naming its dotted path (``events[3].mg``) and the
rule. Schema: docs/session-replay.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date
from enum import StrEnum
from typing import TypeVar

from mdma_at.domain.dosing.amounts import validate_mg, validate_number
from mdma_at.domain.dosing.decisions import Action
from mdma_at.domain.dosing.discharge import DischargePlan
from mdma_at.domain.dosing.events import (
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
from mdma_at.domain.dosing.rules import DosingRules
from mdma_at.domain.dosing.session_facts import PatientAtSession, PreDoseChecklist, stamp
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.plausibility import SESSION_WEIGHT_KG
from mdma_at.domain.times import parse_time
from mdma_at.domain.vitals.plausibility import PHYSIOLOGICAL_LIMITS, PlausibilityLimits, validate
from mdma_at.domain.vocabulary import CssrsRisk, PregnancyTest, Sex

E = TypeVar("E", bound=StrEnum)

EVENT_TYPES = (
    "vitals",
    "request_initial",
    "request_supplemental",
    "request_discharge",
    "override",
    "acknowledge",
    "adverse_event",
    "suds",
    "cssrs",
)


@dataclass(frozen=True, slots=True)
class Timeline:
    """A parsed timeline: the protocol's dosing rules and the events in time order."""

    protocol: str
    rules: DosingRules
    session_number: int
    patient: PatientAtSession
    checklist: PreDoseChecklist
    events: tuple[Event, ...]


def _object(value: object, field: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InvalidInput(field, f"must be a JSON object, not {type(value).__name__}")
    return value


def _bool(data: Mapping[str, object], key: str, field: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise InvalidInput(f"{field}.{key}", f"{value!r} is not true or false")
    return value


def _text(data: Mapping[str, object], key: str, field: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field}.{key}", "is required (a non-empty text)")
    return value


def _choice(value: object, field: str, enum: type[E]) -> E:
    allowed = [member.value for member in enum]
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInput(field, f"{value!r} is not one of {', '.join(allowed)}")
    return enum(value)


def parse_patient(value: object, field: str = "patient") -> PatientAtSession:
    data = _object(value, field)
    sex = _choice(data.get("sex"), f"{field}.sex", Sex)
    weight_raw = data.get("weight_kg")
    weight: float | None = None
    if weight_raw is not None:
        weight = validate_number(weight_raw, f"{field}.weight_kg", "kg")
        low, high = SESSION_WEIGHT_KG
        if not low <= weight <= high:
            raise InvalidInput(f"{field}.weight_kg", f"{weight:g} is outside {low:g}–{high:g} kg")
    if "childbearing_potential" not in data:
        raise InvalidInput(f"{field}.childbearing_potential", "is required (true or false)")
    return PatientAtSession(sex, weight, _bool(data, "childbearing_potential", field))


def parse_checklist(value: object, field: str = "pre_dose") -> PreDoseChecklist:
    """The pre-dose checklist; a missing entry means not done (the gate then refuses)."""
    data = _object(value, field)
    fasting_raw = data.get("fasting_hours", 0)
    fasting = validate_number(fasting_raw, f"{field}.fasting_hours", "hours")
    if fasting < 0:
        raise InvalidInput(f"{field}.fasting_hours", f"{fasting:g} h must not be negative")
    providers_raw = data.get("providers_present", 0)
    if isinstance(providers_raw, bool) or not isinstance(providers_raw, int) or providers_raw < 0:
        raise InvalidInput(f"{field}.providers_present", f"{providers_raw!r} is not a count")
    cssrs_raw = data.get("cssrs_risk")
    cssrs = None if cssrs_raw is None else _choice(cssrs_raw, f"{field}.cssrs_risk", CssrsRisk)
    test_raw = data.get("pregnancy_test")
    test = (
        PregnancyTest.NOT_DONE
        if test_raw is None
        else _choice(test_raw, f"{field}.pregnancy_test", PregnancyTest)
    )
    test_date_raw = data.get("pregnancy_test_date")
    test_on = None
    if test_date_raw is not None:
        try:
            test_on = date.fromisoformat(test_date_raw) if isinstance(test_date_raw, str) else None
        except ValueError:
            test_on = None
        if test_on is None:
            raise InvalidInput(
                f"{field}.pregnancy_test_date", f"{test_date_raw!r} is not an ISO date"
            )
    return PreDoseChecklist(
        consent_current=_bool(data, "consent_current", field),
        eligibility_signed=_bool(data, "eligibility_signed", field),
        washout_complete=_bool(data, "washout_complete", field),
        fasting_hours=fasting,
        cssrs_risk=cssrs,
        providers_present=providers_raw,
        pregnancy_test=test,
        pregnancy_test_on=test_on,
        safety_alert_open=_bool(data, "safety_alert_open", field),
        medications_changed=validate_medications(
            data.get("medications_changed"), f"{field}.medications_changed"
        ),
    )


def parse_event(
    value: object,
    field: str,
    limits: PlausibilityLimits = PHYSIOLOGICAL_LIMITS,
    rules: DosingRules | None = None,
) -> Event:
    """One event of the timeline (its ``type`` decides the other fields)."""
    data = _object(value, field)
    kind = data.get("type")
    if kind not in EVENT_TYPES:
        raise InvalidInput(
            f"{field}.type", f"{kind!r} is not an event type ({', '.join(EVENT_TYPES)})"
        )
    t = parse_time(data.get("t"), f"{field}.t").astimezone(UTC)
    if kind == "vitals":
        reading = validate(
            data.get("systolic"),
            data.get("diastolic"),
            data.get("heart_rate"),
            data.get("temperature_c"),
            limits,
            field,
            data.get("spo2"),
        )
        return VitalsTaken(t, reading)
    if kind == "suds":
        if rules is None:
            raise ValueError("a SUDS event needs the protocol's scale")
        return DistressRated(t, validate_suds(data.get("value"), rules.distress, f"{field}.value"))
    if kind == "cssrs":
        return CssrsScreened(t, validate_cssrs(data.get("risk"), f"{field}.risk"))
    if kind in ("request_initial", "request_supplemental"):
        action = Action.INITIAL if kind == "request_initial" else Action.SUPPLEMENTAL
        return DoseRequested(t, action, validate_mg(data.get("mg"), f"{field}.mg"))
    if kind == "request_discharge":
        plan = DischargePlan(
            physician_signoff=_bool(data, "physician_signoff", field),
            escort=_bool(data, "escort", field),
            overnight_stay=_bool(data, "overnight_stay", field),
        )
        return DischargeRequested(t, plan)
    if kind == "override":
        action = _choice(data.get("action"), f"{field}.action", Action)
        return OverrideGiven(t, action, _text(data, "by_role", field), _text(data, "reason", field))
    if kind == "acknowledge":
        return AlertsAcknowledged(t, _text(data, "by_role", field))
    flags: dict[str, bool | None] = {}
    for key in ("serious", "special_interest"):
        flag = data.get(key)
        if flag is not None and not isinstance(flag, bool):
            raise InvalidInput(f"{field}.{key}", f"{flag!r} is not true or false")
        flags[key] = flag
    optional: dict[str, str | None] = {}
    for key in ("severity", "related"):
        text = data.get(key)
        if text is not None and not isinstance(text, str):
            raise InvalidInput(f"{field}.{key}", f"{text!r} is not a text")
        optional[key] = text
    return AdverseEventNoted(
        t,
        _text(data, "term", field),
        optional["severity"],
        flags["serious"],
        optional["related"],
        flags["special_interest"],
    )


def parse_timeline(value: object, rules_for: Callable[[str], DosingRules]) -> Timeline:
    """A `Timeline` from the decoded JSON document, or `InvalidInput` naming the first fault.

    Args:
        value: the decoded JSON document.
        rules_for: the dosing rules of a protocol name; raises `InvalidInput` (field
            ``protocol``) for an unknown one. Passed in because the domain never imports
            `mdma_at.protocols`.

    Events must be in time order (equal times keep their order).
    """
    data = _object(value, "timeline")
    protocol = data.get("protocol")
    if not isinstance(protocol, str) or not protocol:
        raise InvalidInput("protocol", "is required (a protocol name such as 'mapp_v1')")
    rules = rules_for(protocol)
    limits = rules.plausibility
    session_number = data.get("session_number")
    if isinstance(session_number, bool) or not isinstance(session_number, int):
        raise InvalidInput("session_number", f"{session_number!r} is not a session number")
    rules.initial_dose_for(session_number)
    patient = parse_patient(data.get("patient"))
    checklist = parse_checklist(data.get("pre_dose", {}))
    raw_events = data.get("events")
    if not isinstance(raw_events, list):
        raise InvalidInput("events", "must be a JSON list of events")
    events: list[Event] = []
    for i, raw in enumerate(raw_events):
        event = parse_event(raw, f"events[{i}]", limits, rules)
        if events and event.t < events[-1].t:
            raise InvalidInput(
                f"events[{i}].t",
                f"{stamp(event.t)} is before the previous event at "
                f"{stamp(events[-1].t)}: events must be in time order",
            )
        events.append(event)
    return Timeline(protocol, rules, session_number, patient, checklist, tuple(events))
