"""Golden timelines for the dosing session (issues 5 and 9): every gate at its edges.

Each table reads as the clinic would say it: what was charted, what was asked, what the rules
answer and why (reason codes, documented in docs/session-replay.md). The timelines run through
the same parser and engine as `mdma-at session replay`. Expected values come from the issues'
text and DESIGN.md §4 (named in each comment), never from the engine's output.

Clock: the initial dose is requested at 08:00:00 UTC ("0:00"); the pre-dose SUDS is 20 at 07:54
and the pre-dose vitals 128/80, HR 80, T 36.8 °C at 07:55 unless a row says otherwise: that is
the baseline discharge compares with. Session 1 = 80 mg + up to 40 mg; sessions 2–3 = 80 or
120 mg + up to half of it (MAPP2, reference/clinical-facts.md §1 table).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mdma_at.domain.dosing.replay import ReplayResult, as_contract, replay
from mdma_at.domain.dosing.rules import DosingRules, Sourced
from mdma_at.domain.dosing.timeline import parse_timeline
from mdma_at.protocols import get_protocol

T0 = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)
MAPP = get_protocol("mapp_v1").dosing
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "session-timeline.json"


def at(clock: str) -> str:
    """'1:29:59' after the initial dose (or '-0:05' before it) as an ISO time."""
    sign = -1 if clock.startswith("-") else 1
    parts = [int(p) for p in clock.lstrip("-").split(":")]
    h, m, s = [*parts, 0][:3]
    return (T0 + sign * timedelta(hours=h, minutes=m, seconds=s)).isoformat()


def vitals(
    clock: str,
    sbp: float = 128,
    dbp: float = 80,
    hr: float = 80,
    t: float | None = 36.8,
    spo2: float | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "t": at(clock),
        "type": "vitals",
        "systolic": sbp,
        "diastolic": dbp,
        "heart_rate": hr,
    }
    if t is not None:
        event["temperature_c"] = t
    if spo2 is not None:
        event["spo2"] = spo2
    return event


def suds(clock: str, value: float) -> dict[str, Any]:
    return {"t": at(clock), "type": "suds", "value": value}


def cssrs(clock: str, risk: str = "none") -> dict[str, Any]:
    return {"t": at(clock), "type": "cssrs", "risk": risk}


def adverse_event(
    clock: str, term: str, serious: bool = False, special_interest: bool | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "t": at(clock),
        "type": "adverse_event",
        "term": term,
        "severity": "severe" if serious else "mild",
        "serious": serious,
    }
    if special_interest is not None:
        event["special_interest"] = special_interest
    return event


def recovered(clock: str, **reading: Any) -> list[dict[str, Any]]:
    """What discharge reads, all at `clock`: a reading at baseline, SUDS 10 (below the pre-dose
    20) and a C-SSRS screener with no risk."""
    return [vitals(clock, **reading), suds(clock, 10), cssrs(clock)]


def initial(clock: str = "0:00", mg: float = 80) -> dict[str, Any]:
    return {"t": at(clock), "type": "request_initial", "mg": mg}


def supplemental(clock: str, mg: float = 40) -> dict[str, Any]:
    return {"t": at(clock), "type": "request_supplemental", "mg": mg}


def discharge(
    clock: str, signoff: bool = True, escort: bool = True, overnight: bool = False
) -> dict[str, Any]:
    return {
        "t": at(clock),
        "type": "request_discharge",
        "physician_signoff": signoff,
        "escort": escort,
        "overnight_stay": overnight,
    }


def override(clock: str, action: str, by_role: str = "physician") -> dict[str, Any]:
    return {
        "t": at(clock),
        "type": "override",
        "action": action,
        "by_role": by_role,
        "reason": "examined the patient; benefit outweighs the risk",
    }


def acknowledge(clock: str, by_role: str = "physician") -> dict[str, Any]:
    return {"t": at(clock), "type": "acknowledge", "by_role": by_role}


PRE_DOSE_OK = {
    "consent_current": True,
    "eligibility_signed": True,
    "washout_complete": True,
    "fasting_hours": 11,
    "cssrs_risk": "none",
    "providers_present": 2,
    "pregnancy_test": "negative",
}


def run(
    events: list[dict[str, Any]],
    session: int = 1,
    pre_dose: dict[str, Any] | None = None,
    childbearing_potential: bool = True,
    rules: DosingRules = MAPP,
) -> ReplayResult:
    document = {
        "protocol": "mapp_v1",
        "session_number": session,
        "patient": {
            "sex": "female",
            "weight_kg": 61,
            "childbearing_potential": childbearing_potential,
        },
        "pre_dose": PRE_DOSE_OK if pre_dose is None else pre_dose,
        "events": events,
    }
    return replay(parse_timeline(document, lambda _name: rules))


def last(result: ReplayResult) -> tuple[bool, set[str]]:
    """The last decision: allowed, and the codes of its reasons."""
    decision = result.decisions[-1]
    return decision.allowed, {r.code for r in decision.reasons}


DOSED = [suds("-0:06", 20), vitals("-0:05"), initial()]


# --- The shared example ---------------------------------------------------------------------


def test_the_shared_example_replays_under_the_issue_9_rules() -> None:
    out = as_contract(replay(parse_timeline(json.loads(EXAMPLE.read_text()), lambda _n: MAPP)))
    assert [(d["action"], d["allowed"]) for d in out["decisions"]] == [
        ("initial", True),
        ("supplemental", False),
        ("supplemental", True),
        # Issue 9, item 4: no SUDS within 60 min and no C-SSRS screener at discharge.
        ("discharge", False),
    ]
    # 163/95 at 10:10: systolic > 160 is a caution alert (DESIGN.md §4) and not below 160/100.
    assert [r["code"] for r in out["decisions"][1]["reasons"]] == [
        "bp_needs_physician",
        "alert_active",
    ]
    assert [r["code"] for r in out["decisions"][3]["reasons"]] == [
        "distress_stale",
        "cssrs_missing",
    ]
    assert out["alerts"] == [
        {
            "t": "2026-09-30T10:10:00Z",
            "parameter": "systolic",
            "level": "caution",
            "direction": "high",
            "value": 163,
            "limit": 160,
        }
    ]
    assert len(out["vitals_due"]) == 7
    assert list(out) == ["alerts", "decisions", "vitals_due"]


def test_reasons_are_structured_objects_and_lifted_by_names_the_override() -> None:
    # Issue 9, replay contract: {"code", "message", "source", "lifted_by"}.
    events = [
        *DOSED,
        vitals("1:40", hr=125),
        override("1:42", "supplemental"),
        supplemental("1:45"),
    ]
    decision = as_contract(run(events))["decisions"][-1]
    assert decision["allowed"] is True
    (reason,) = decision["reasons"]
    assert set(reason) == {"code", "message", "source", "lifted_by"}
    assert reason["code"] == "alert_active"
    assert reason["lifted_by"] == {
        "t": "2026-09-30T09:42:00Z",
        "by_role": "physician",
        "reason": "examined the patient; benefit outweighs the risk",
    }
    refused = as_contract(run([*DOSED, vitals("1:40", hr=125), supplemental("1:45")]))
    assert refused["decisions"][-1]["reasons"][0]["lifted_by"] is None


# --- Supplemental window: 1:30:00 to 2:30:00 after the initial dose, both ends allowed -------


@pytest.mark.parametrize(
    ("request_at", "allowed", "codes"),
    [
        ("1:29:59", False, {"supplemental_window"}),
        ("1:30:00", True, set()),
        ("2:00:00", True, set()),
        ("2:30:00", True, set()),
        ("2:30:01", False, {"supplemental_window"}),
    ],
)
def test_the_supplemental_dose_is_allowed_only_inside_the_window(
    request_at: str, allowed: bool, codes: set[str]
) -> None:
    # Vitals five minutes before the request keep them fresh.
    h, m, s = (int(p) for p in request_at.split(":"))
    fresh = (timedelta(hours=h, minutes=m, seconds=s) - timedelta(minutes=5)).total_seconds()
    clock = f"{int(fresh) // 3600}:{int(fresh) // 60 % 60}:{int(fresh) % 60}"
    assert last(run([*DOSED, vitals(clock), supplemental(request_at)])) == (allowed, codes)


def test_a_physician_override_never_opens_the_supplemental_window() -> None:
    events = [*DOSED, vitals("2:30"), override("2:31", "supplemental"), supplemental("2:31")]
    assert last(run(events)) == (False, {"supplemental_window"})


def test_a_supplemental_dose_before_any_initial_dose_is_refused() -> None:
    assert last(run([vitals("1:40"), supplemental("1:45")])) == (False, {"no_initial_dose"})


def test_a_refused_initial_request_does_not_open_the_supplemental_window() -> None:
    # The initial request is refused (9 h fast), so no dose counts and no window opens.
    result = run(
        [*DOSED, vitals("1:40"), supplemental("1:45")], pre_dose={**PRE_DOSE_OK, "fasting_hours": 9}
    )
    assert [d.allowed for d in result.decisions] == [False, False]
    assert last(result) == (False, {"no_initial_dose"})


# --- Freshness: vitals 15:00 (inclusive); temperature 60:00 (inclusive, issue 9 item 3) ------


@pytest.mark.parametrize(
    ("vitals_at", "request_at", "allowed", "codes"),
    [
        ("1:45:00", "1:59:59", True, set()),
        ("1:45:00", "2:00:00", True, set()),  # exactly 15:00 old: still fresh
        ("1:45:00", "2:00:01", False, {"vitals_stale"}),  # 15:01 old
        ("1:44:00", "2:00:00", False, {"vitals_stale"}),  # 16:00 old
    ],
)
def test_the_supplemental_dose_needs_vitals_at_most_15_minutes_old(
    vitals_at: str, request_at: str, allowed: bool, codes: set[str]
) -> None:
    assert last(run([*DOSED, vitals(vitals_at), supplemental(request_at)])) == (allowed, codes)


def test_the_pre_dose_vitals_alone_are_stale_by_the_supplemental_window() -> None:
    # The pre-dose temperature (07:55) is also 1:50 old, more than 60 min.
    assert last(run([*DOSED, supplemental("1:45")])) == (
        False,
        {"vitals_stale", "temperature_stale"},
    )


@pytest.mark.parametrize(
    ("temperature_at", "allowed", "codes"),
    [
        ("0:45:00", True, set()),  # 60:00 before the request at 1:45: still fresh
        ("0:44:59", False, {"temperature_stale"}),  # 60:01 old
    ],
)
def test_the_supplemental_dose_needs_a_temperature_within_60_minutes(
    temperature_at: str, allowed: bool, codes: set[str]
) -> None:
    # Issue 9, item 3: temperature optional per reading; the supplemental dose needs one ≤ 60 min.
    events = [*DOSED, vitals(temperature_at), vitals("1:40", t=None), supplemental("1:45")]
    assert last(run(events)) == (allowed, codes)


@pytest.mark.parametrize(
    ("vitals_at", "allowed", "codes"),
    [("-0:15:00", True, set()), ("-0:15:01", False, {"vitals_stale"})],
)
def test_the_initial_dose_needs_pre_dose_vitals_at_most_15_minutes_old(
    vitals_at: str, allowed: bool, codes: set[str]
) -> None:
    assert last(run([vitals(vitals_at), initial()])) == (allowed, codes)


def test_the_initial_dose_without_any_pre_dose_vitals_is_refused() -> None:
    assert last(run([initial()])) == (False, {"vitals_missing"})


# --- Vital-sign classification: each threshold just below, at and just above ----------------


@pytest.mark.parametrize(
    ("parameter", "value", "level", "direction", "limit"),
    [
        # Systolic: high caution > 160, critical ≥ 180 mmHg (DESIGN.md §4).
        ("systolic", 160, None, None, None),
        ("systolic", 161, "caution", "high", 160),
        ("systolic", 179, "caution", "high", 160),
        ("systolic", 180, "critical", "high", 180),
        ("systolic", 181, "critical", "high", 180),
        # Systolic: low caution < 90, critical < 80 mmHg (issue 9 item 3, NEWS2).
        ("systolic", 90, None, None, None),
        ("systolic", 89, "caution", "low", 90),
        ("systolic", 80, "caution", "low", 90),
        ("systolic", 79, "critical", "low", 80),
        # Diastolic: caution > 100, critical ≥ 120 mmHg; no low limit.
        ("diastolic", 100, None, None, None),
        ("diastolic", 101, "caution", "high", 100),
        ("diastolic", 119, "caution", "high", 100),
        ("diastolic", 120, "critical", "high", 120),
        ("diastolic", 121, "critical", "high", 120),
        ("diastolic", 40, None, None, None),
        # Heart rate: high caution > 120, critical ≥ 140 beats/min.
        ("heart_rate", 120, None, None, None),
        ("heart_rate", 121, "caution", "high", 120),
        ("heart_rate", 139, "caution", "high", 120),
        ("heart_rate", 140, "critical", "high", 140),
        ("heart_rate", 141, "critical", "high", 140),
        # Heart rate: low caution < 50, critical < 40 (issue 9 item 3).
        ("heart_rate", 50, None, None, None),
        ("heart_rate", 49, "caution", "low", 50),
        ("heart_rate", 40, "caution", "low", 50),
        ("heart_rate", 39, "critical", "low", 40),
        # Temperature: high caution ≥ 38.0, critical ≥ 39.0 °C.
        ("temperature", 37.9, None, None, None),
        ("temperature", 38.0, "caution", "high", 38),
        ("temperature", 38.1, "caution", "high", 38),
        ("temperature", 38.9, "caution", "high", 38),
        ("temperature", 39.0, "critical", "high", 39),
        ("temperature", 39.1, "critical", "high", 39),
        # Temperature: low caution < 35.5, critical ≤ 35.0 °C (issue 9 item 3).
        ("temperature", 35.5, None, None, None),
        ("temperature", 35.4, "caution", "low", 35.5),
        ("temperature", 35.1, "caution", "low", 35.5),
        ("temperature", 35.0, "critical", "low", 35),
        # SpO2: low caution < 94, critical < 90 % (issue 9 item 3); no high limit.
        ("spo2", 100, None, None, None),
        ("spo2", 94, None, None, None),
        ("spo2", 93, "caution", "low", 94),
        ("spo2", 90, "caution", "low", 94),
        ("spo2", 89, "critical", "low", 90),
    ],
)
def test_each_vital_sign_is_classified_at_its_thresholds(
    parameter: str, value: float, level: str | None, direction: str | None, limit: float | None
) -> None:
    reading: dict[str, Any] = {"sbp": 150, "dbp": 70, "hr": 80, "t": 36.8, "spo2": 98}
    key = {"systolic": "sbp", "diastolic": "dbp", "heart_rate": "hr", "temperature": "t"}
    reading[key.get(parameter, parameter)] = value
    out = as_contract(run([*DOSED, vitals("1:40", **reading), supplemental("1:45")]))
    expected = (
        []
        if level is None
        else [
            {
                "t": "2026-09-30T09:40:00Z",
                "parameter": parameter,
                "level": level,
                "direction": direction,
                "value": value,
                "limit": limit,
            }
        ]
    )
    assert out["alerts"] == expected
    # The supplemental dose follows the alert: refused while one is active, with a hard stop
    # at the critical level (issue 9 item 2).
    codes = {r["code"] for r in out["decisions"][-1]["reasons"]}
    assert ("critical_alert_active" in codes) is (level == "critical")
    assert ("alert_active" in codes) is (level == "caution")


def test_a_reading_gives_one_alert_per_parameter_at_its_highest_level() -> None:
    out = as_contract(run([*DOSED, vitals("1:40", sbp=185, dbp=105, hr=118, t=38.2, spo2=92)]))
    assert [(a["parameter"], a["level"], a["direction"]) for a in out["alerts"]] == [
        ("systolic", "critical", "high"),
        ("diastolic", "caution", "high"),
        ("temperature", "caution", "high"),
        ("spo2", "caution", "low"),
    ]


# --- Alert clearing: two consecutive readings inside both caution limits, nothing else -------


@pytest.mark.parametrize(
    ("readings", "allowed"),
    [
        # Readings after a caution systolic at 1:30; the request comes at 1:59.
        ([], False),
        ([150], False),  # one reading inside the caution limits: still active
        ([150, 148], True),  # two in a row: cleared
        ([150, 165, 148], False),  # the run restarts after a reading in range
        ([150, 165, 148, 146], True),
        ([150, 85], False),  # 85 < 90: a low caution reading restarts the run (issue 9)
        ([159, 159], True),  # 159/80 is inside the limits and below 160/100
    ],
)
def test_an_alert_clears_after_exactly_two_consecutive_readings_inside_both_limits(
    readings: list[float], allowed: bool
) -> None:
    events = [*DOSED, vitals("1:30", sbp=165)]
    # The last reading is at 1:55, so the vitals are fresh at the request.
    n = len(readings)
    events += [vitals(f"1:{55 - 5 * (n - 1 - i)}", sbp=sbp) for i, sbp in enumerate(readings)]
    result = run([*events, supplemental("1:59")])
    assert result.decisions[-1].allowed is allowed
    if not allowed:
        assert "alert_active" in last(result)[1]


def test_readings_without_temperature_never_clear_a_temperature_alert() -> None:
    # "Every parameter inside both caution limits": an unmeasured temperature proves nothing.
    events = [
        *DOSED,
        vitals("1:20", t=38.3),
        vitals("1:30", t=None),
        vitals("1:40", t=None),
        vitals("1:44", t=37.2),
        supplemental("1:45"),
    ]
    assert last(run(events)) == (False, {"alert_active"})


# --- Acknowledging is not resolving (issue 9, item 1) ----------------------------------------


@pytest.mark.parametrize("by_role", ["physician", "nurse", "therapist"])
def test_an_acknowledgement_never_clears_an_alert(by_role: str) -> None:
    # Reproduced case 1 of issue 9: acknowledged at 185/118, HR 128, the supplemental dose was
    # allowed with no override. Now: 185 ≥ 180 critical (hard stop), HR 128 > 120 caution,
    # 185/118 not below 160/100.
    events = [
        *DOSED,
        vitals("1:40", sbp=185, dbp=118, hr=128),
        acknowledge("1:42", by_role),
        supplemental("1:45"),
    ]
    assert last(run(events)) == (
        False,
        {"critical_alert_active", "alert_active", "bp_needs_physician"},
    )


def test_an_acknowledgement_and_an_override_still_do_not_lift_the_critical_alert() -> None:
    events = [
        *DOSED,
        vitals("1:40", sbp=185, dbp=118, hr=128),
        acknowledge("1:41"),
        override("1:42", "supplemental"),
        supplemental("1:45"),
    ]
    result = run(events)
    assert not result.decisions[-1].allowed
    assert "critical_alert_active" in last(result)[1]


def test_an_acknowledgement_stops_the_paging_until_a_new_critical_reading() -> None:
    # Replay contract: vitals_due keeps page_physician false after an acknowledgement until a
    # new critical reading; the alert stays active, so the interval stays 5 min.
    events = [
        *DOSED,
        vitals("1:00", sbp=185),  # critical: paged
        acknowledge("1:01"),
        vitals("1:05", sbp=170),  # still critical (active), acknowledged: not paged
        vitals("1:10", sbp=182),  # a new critical reading: paged again
    ]
    due = as_contract(run(events))["vitals_due"]
    assert [(d["reason"], d["page_physician"]) for d in due[1:]] == [
        ("critical_alert", True),
        ("critical_alert", False),
        ("critical_alert", True),
    ]


def test_an_acknowledgement_makes_no_decision() -> None:
    events = [*DOSED, vitals("1:00", sbp=185), acknowledge("1:01")]
    assert len(run(events).decisions) == 1


# --- Critical is a hard stop; overrides lift caution-level refusals only (issue 9, item 2) ---


def test_an_override_never_lifts_a_critical_alert() -> None:
    # Reproduced case 2 of issue 9: 195/125, HR 150, T 39.5 °C with an override was allowed.
    events = [
        *DOSED,
        vitals("1:40", sbp=195, dbp=125, hr=150, t=39.5),
        override("1:42", "supplemental"),
        supplemental("1:45"),
    ]
    assert last(run(events)) == (False, {"critical_alert_active", "bp_needs_physician"})


@pytest.mark.parametrize(
    ("by_role", "allowed"),
    [("physician", True), ("therapist", False), ("nurse", False)],
)
def test_a_physician_override_lifts_a_caution_alert_refusal_of_the_supplemental_dose(
    by_role: str, allowed: bool
) -> None:
    events = [
        *DOSED,
        vitals("1:40", hr=125),
        override("1:42", "supplemental", by_role),
        supplemental("1:45"),
    ]
    result = run(events)
    assert result.decisions[-1].allowed is allowed
    assert last(result)[1] == {"alert_active"}


@pytest.mark.parametrize(
    ("sbp", "dbp", "with_override", "allowed", "codes"),
    [
        # Issue 9 item 2: latest systolic < 160 and diastolic < 100, or a physician override.
        (159, 99, False, True, set()),
        (160, 80, False, False, {"bp_needs_physician"}),  # 160 is not a caution alert (> 160)
        (160, 80, True, True, {"bp_needs_physician"}),
        (150, 100, False, False, {"bp_needs_physician"}),
        (150, 100, True, True, {"bp_needs_physician"}),
        (165, 80, True, True, {"bp_needs_physician", "alert_active"}),  # caution: liftable
        (180, 80, True, False, {"bp_needs_physician", "critical_alert_active"}),  # hard stop
        (150, 120, True, False, {"bp_needs_physician", "critical_alert_active"}),
    ],
)
def test_the_supplemental_dose_needs_blood_pressure_below_160_over_100(
    sbp: float, dbp: float, with_override: bool, allowed: bool, codes: set[str]
) -> None:
    events = [*DOSED, vitals("1:40", sbp=sbp, dbp=dbp)]
    if with_override:
        events.append(override("1:42", "supplemental"))
    assert last(run([*events, supplemental("1:45")])) == (allowed, codes)


def test_an_override_counts_for_the_next_request_of_its_action_only() -> None:
    events = [
        *DOSED,
        vitals("1:40", hr=125),
        override("1:41", "supplemental"),
        supplemental("1:42", mg=41),
        supplemental("1:45"),
    ]
    result = run(events)
    # The first request used the override (and was refused for its amount); the second has none.
    assert [d.allowed for d in result.decisions[1:]] == [False, False]
    assert last(result) == (False, {"alert_active"})


def test_an_override_for_another_action_does_not_lift_the_supplemental_refusal() -> None:
    events = [*DOSED, vitals("1:40", hr=125), override("1:41", "discharge"), supplemental("1:45")]
    assert last(run(events)) == (False, {"alert_active"})


def test_an_override_never_lifts_the_dose_limits() -> None:
    events = [*DOSED, vitals("1:40"), override("1:41", "supplemental"), supplemental("1:45", mg=60)]
    assert last(run(events)) == (False, {"supplemental_above_half"})


# --- Doses: the protocol's initial doses, half the dose given, 180 mg cap (issue 9, item 8) --


@pytest.mark.parametrize(
    ("session", "initial_mg", "allowed"),
    [
        # mapp_v1: session 1 80 mg; sessions 2–3 80 or 120 mg (MAPP2, clinical-facts §1).
        (1, 80, True),
        (1, 120, False),
        (1, 40, False),
        (2, 120, True),
        (2, 80, True),  # reproduced case 6 of issue 9: refused before
        (2, 100, False),
        (3, 120, True),
        (3, 80, True),
        (3, 160, False),
    ],
)
def test_the_initial_dose_must_be_one_of_the_protocol_doses_for_the_session(
    session: int, initial_mg: float, allowed: bool
) -> None:
    result = run([vitals("-0:05"), initial(mg=initial_mg)], session=session)
    assert last(result) == (allowed, set() if allowed else {"initial_dose_amount"})


@pytest.mark.parametrize(
    ("session", "initial_mg", "mg", "allowed", "codes"),
    [
        (1, 80, 39, True, set()),
        (1, 80, 40, True, set()),  # exactly half of 80 mg
        (1, 80, 40.5, False, {"supplemental_above_half"}),
        (2, 120, 60, True, set()),  # exactly half of 120 mg; 120 + 60 = 180 mg, the cap
        (2, 120, 61, False, {"supplemental_above_half", "session_cap"}),
        (2, 80, 40, True, set()),  # half of the 80 mg actually given
        (2, 80, 41, False, {"supplemental_above_half"}),
        (3, 80, 60, False, {"supplemental_above_half"}),  # not half of the 120 mg option
    ],
)
def test_the_supplemental_dose_is_at_most_half_the_initial_dose_given(
    session: int, initial_mg: float, mg: float, allowed: bool, codes: set[str]
) -> None:
    events = [
        vitals("-0:05"),
        initial(mg=initial_mg),
        vitals("1:40"),
        supplemental("1:45", mg=mg),
    ]
    assert last(run(events, session=session)) == (allowed, codes)


@pytest.mark.parametrize(
    ("mg", "allowed", "codes"),
    [(59, True, set()), (60, True, set()), (61, False, {"session_cap"})],
)
def test_the_session_total_is_at_most_180_mg_even_where_a_site_allows_a_larger_supplement(
    mg: float, allowed: bool, codes: set[str]
) -> None:
    # A site that allows the supplement up to the full initial dose: the cap alone binds.
    site = replace(
        MAPP,
        supplemental=replace(
            MAPP.supplemental, max_fraction_of_initial=Sourced(1.0, MAPP.initial_source)
        ),
    )
    events = [vitals("-0:05"), initial(mg=120), vitals("1:40"), supplemental("1:45", mg=mg)]
    assert last(run(events, session=2, rules=site)) == (allowed, codes)


def test_only_one_initial_dose_per_session() -> None:
    result = run([*DOSED, vitals("0:10"), initial("0:12")])
    assert [d.allowed for d in result.decisions] == [True, False]
    assert "initial_already_given" in last(result)[1]


def test_only_one_supplemental_dose_per_session() -> None:
    result = run([*DOSED, vitals("1:40"), supplemental("1:45", mg=20), supplemental("1:50", mg=20)])
    assert [d.allowed for d in result.decisions] == [True, True, False]
    assert last(result) == (False, {"supplemental_already_given"})


def test_a_refused_request_does_not_count_as_a_dose() -> None:
    result = run([*DOSED, vitals("1:40"), supplemental("1:45", mg=50), supplemental("1:46")])
    assert [d.allowed for d in result.decisions] == [True, False, True]
    assert result.final.total_mg == 120


# --- Pre-dose gate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sbp", "dbp", "with_override", "allowed", "codes"),
    [
        (139, 80, False, True, set()),
        (140, 80, False, False, {"bp_needs_physician"}),
        (140, 80, True, True, {"bp_needs_physician"}),  # listed as lifted
        (130, 89, False, True, set()),
        (130, 90, False, False, {"bp_needs_physician"}),
        (130, 90, True, True, {"bp_needs_physician"}),
        (159, 85, False, False, {"bp_needs_physician"}),
        (159, 85, True, True, {"bp_needs_physician"}),
        (160, 85, False, False, {"bp_no_dose"}),
        (160, 85, True, False, {"bp_no_dose"}),  # no dose, override or not
        (150, 99, False, False, {"bp_needs_physician"}),
        (150, 99, True, True, {"bp_needs_physician"}),
        (150, 100, False, False, {"bp_no_dose"}),
        (150, 100, True, False, {"bp_no_dose"}),
    ],
)
def test_the_pre_dose_blood_pressure_gate(
    sbp: float, dbp: float, with_override: bool, allowed: bool, codes: set[str]
) -> None:
    events = [vitals("-0:05", sbp=sbp, dbp=dbp)]
    if with_override:
        events.append(override("-0:02", "initial"))
    assert last(run([*events, initial()])) == (allowed, codes)


def test_the_blood_pressure_gate_reads_the_latest_pre_dose_reading() -> None:
    events = [vitals("-0:30", sbp=150), vitals("-0:05", sbp=132), initial()]
    assert last(run(events)) == (True, set())


def test_a_pre_dose_caution_alert_withholds_the_initial_dose_until_a_physician_overrides() -> None:
    assert last(run([vitals("-0:05", hr=125), initial()])) == (False, {"alert_active"})
    lifted = run([vitals("-0:05", hr=125), override("-0:01", "initial"), initial()])
    assert last(lifted) == (True, {"alert_active"})


def test_a_pre_dose_critical_alert_is_a_hard_stop_for_the_initial_dose() -> None:
    # HR 38 < 40: critical low (issue 9 items 2–3).
    events = [vitals("-0:05", hr=38), override("-0:01", "initial"), initial()]
    assert last(run(events)) == (False, {"critical_alert_active"})


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"consent_current": False}, "consent_not_current"),
        ({"eligibility_signed": False}, "eligibility_not_signed"),
        ({"washout_complete": False}, "washout_incomplete"),
        ({"fasting_hours": 9.9}, "fasting_too_short"),
        ({"cssrs_risk": "high"}, "cssrs_high"),
        ({"cssrs_risk": None}, "cssrs_missing"),
        ({"providers_present": 1}, "providers_too_few"),
        ({"pregnancy_test": "positive"}, "pregnancy_test_not_negative"),
        ({"pregnancy_test": "not_done"}, "pregnancy_test_not_negative"),
        ({"pregnancy_test_date": "2026-09-29"}, "pregnancy_test_not_today"),  # issue 9 item 7
        ({"safety_alert_open": True}, "safety_alert_open"),  # issue 9 item 6
    ],
)
def test_each_unmet_pre_dose_item_refuses_the_initial_dose_even_with_an_override(
    change: dict[str, Any], code: str
) -> None:
    events = [vitals("-0:05"), override("-0:01", "initial"), initial()]
    assert last(run(events, pre_dose={**PRE_DOSE_OK, **change})) == (False, {code})


@pytest.mark.parametrize(
    ("change", "allowed"),
    [
        ({"fasting_hours": 10}, True),  # exactly 10 h is enough
        ({"cssrs_risk": "moderate"}, True),
        ({"cssrs_risk": "low"}, True),
        ({"providers_present": 2}, True),
        ({"providers_present": 3}, True),
        ({"pregnancy_test_date": "2026-09-30"}, True),  # dated the session day
        ({"safety_alert_open": False}, True),
    ],
)
def test_pre_dose_items_at_their_limits_are_met(change: dict[str, Any], allowed: bool) -> None:
    result = run([vitals("-0:05"), initial()], pre_dose={**PRE_DOSE_OK, **change})
    assert result.decisions[-1].allowed is allowed


def test_the_initial_dose_reads_the_latest_c_ssrs_recorded_before_it() -> None:
    # Reproduced case 5 of issue 9: the gate read a typed value, not the record. A screener
    # recorded today (high) refuses whatever the checklist says.
    events = [cssrs("-0:20", "high"), vitals("-0:05"), override("-0:01", "initial"), initial()]
    assert last(run(events)) == (False, {"cssrs_high"})
    assert last(run([cssrs("-0:20", "moderate"), vitals("-0:05"), initial()])) == (True, set())


def test_no_pregnancy_test_is_needed_without_childbearing_potential() -> None:
    pre = {**PRE_DOSE_OK, "pregnancy_test": "not_done"}
    assert last(run([vitals("-0:05"), initial()], pre_dose=pre, childbearing_potential=False)) == (
        True,
        set(),
    )


def test_a_missing_checklist_entry_counts_as_not_done() -> None:
    pre = {k: v for k, v in PRE_DOSE_OK.items() if k != "consent_current"}
    assert last(run([vitals("-0:05"), initial()], pre_dose=pre)) == (False, {"consent_not_current"})


# --- Medications changed since the last session (issue 9, item 7) ------------------------------


@pytest.mark.parametrize(
    ("name", "last_dose", "with_override", "allowed", "codes"),
    [
        # Paroxetine t½ 21 h (Paxil label §12.3): 5 × 21 h = 4.375 d + 7 d = 11.375 → 12 days
        # (MAPP1 washout rule, DESIGN.md §4). Last dose 09-18 → clear 09-30, the session day.
        ("paroxetine", "2026-09-18", False, True, set()),
        ("paroxetine", "2026-09-19", False, False, {"medication_washout"}),  # clear 10-01
        ("paroxetine", "2026-09-19", True, False, {"medication_washout"}),  # never lifted
        ("Paxil", "2026-09-19", False, False, {"medication_washout"}),  # brand name
        ("amlodipine", "2026-09-29", False, True, set()),  # needs no washout
        ("zorblaxin", "2026-09-29", False, False, {"medication_unknown"}),
        ("zorblaxin", "2026-09-29", True, True, {"medication_unknown"}),  # physician reviews
    ],
)
def test_a_new_medication_is_checked_against_the_washout_table(
    name: str, last_dose: str, with_override: bool, allowed: bool, codes: set[str]
) -> None:
    pre = {**PRE_DOSE_OK, "medications_changed": [{"name": name, "last_dose": last_dose}]}
    events = [vitals("-0:05")]
    if with_override:
        events.append(override("-0:01", "initial"))
    result = run([*events, initial()], pre_dose=pre)
    assert last(result) == (allowed, codes)
    if codes == {"medication_washout"}:
        assert "2026-10-01" in result.decisions[-1].reasons[0].message


# --- Adverse events gate the doses (issue 9, item 5) --------------------------------------------


@pytest.mark.parametrize(
    ("event", "holds"),
    [
        # Reproduced case 4 of issue 9: severe chest pain did not hold the supplemental dose.
        (adverse_event("1:00", "severe chest pain"), True),  # term in the list
        (adverse_event("1:00", "Palpitations"), True),
        (adverse_event("1:00", "Dizziness or syncope"), True),
        (adverse_event("1:00", "Self-harm"), True),
        (adverse_event("1:00", "hyponatremia"), True),
        (adverse_event("1:00", "suicidal ideation"), True),
        (adverse_event("1:00", "nausea", serious=True), True),  # serious
        (adverse_event("1:00", "nausea", special_interest=True), True),  # flagged
        (adverse_event("1:00", "nausea"), False),
        (adverse_event("1:00", "jaw clenching", special_interest=False), False),
    ],
)
def test_a_serious_or_special_interest_ae_after_the_initial_dose_holds_the_supplemental_dose(
    event: dict[str, Any], holds: bool
) -> None:
    events = [*DOSED, event, vitals("1:40"), override("1:41", "supplemental"), supplemental("1:45")]
    assert last(run(events)) == (not holds, {"adverse_event_hold"} if holds else set())


def test_an_ae_of_special_interest_makes_discharge_need_a_physician_override() -> None:
    events = [*DOSED, adverse_event("1:00", "chest pain"), *recovered("8:00"), discharge("8:05")]
    assert last(run(events)) == (False, {"adverse_event_review"})
    lifted = [*events[:-1], override("8:02", "discharge"), discharge("8:05")]
    assert last(run(lifted)) == (True, {"adverse_event_review"})


def test_an_ae_before_the_initial_dose_needs_a_physician_review_of_the_initial_dose() -> None:
    events = [adverse_event("-0:30", "palpitations"), vitals("-0:05"), initial()]
    assert last(run(events)) == (False, {"adverse_event_review"})
    reviewed = [*events[:-1], override("-0:01", "initial"), initial()]
    assert last(run(reviewed)) == (True, {"adverse_event_review"})
    # Before the dose it is reviewed, not a hold: the supplemental dose stays possible.
    after = run([*reviewed, vitals("1:40"), supplemental("1:45")])
    assert last(after) == (True, set())


# --- Discharge proves recovery (issue 9, item 4) ------------------------------------------------


@pytest.mark.parametrize(
    ("request_at", "allowed", "codes"),
    [
        ("6:00:00", False, {"discharge_too_early"}),
        ("7:59:59", False, {"discharge_too_early"}),
        ("8:00:00", True, set()),
        ("8:10:00", True, set()),
    ],
)
def test_discharge_comes_at_least_8_hours_after_the_initial_dose(
    request_at: str, allowed: bool, codes: set[str]
) -> None:
    assert last(run([*DOSED, *recovered(request_at), discharge(request_at)])) == (allowed, codes)


@pytest.mark.parametrize(
    ("vitals_at", "allowed", "codes"),
    [
        ("7:30:00", True, set()),  # 30:00 before the request at 8:00: fresh (inclusive)
        ("7:29:59", False, {"vitals_stale"}),
        ("3:10:00", False, {"vitals_stale"}),  # reproduced case 3: the last reading ~5 h old
    ],
)
def test_discharge_needs_a_reading_within_30_minutes(
    vitals_at: str, allowed: bool, codes: set[str]
) -> None:
    events = [*DOSED, vitals(vitals_at), suds("7:59", 10), cssrs("7:59"), discharge("8:00")]
    # The 3:10 reading also carries the latest temperature, 4:50 old (more than 60 min).
    expected = codes | ({"temperature_stale"} if vitals_at == "3:10:00" else set())
    assert last(run(events)) == (allowed, expected)


def test_discharge_with_only_the_pre_dose_reading_on_record_is_refused() -> None:
    # Reproduced case 3 of issue 9: 8 h after the dose, only the pre-dose reading.
    events = [*DOSED, suds("7:55", 10), cssrs("7:55"), discharge("8:00")]
    assert last(run(events)) == (False, {"vitals_stale", "temperature_stale"})


@pytest.mark.parametrize(
    ("temperature_at", "allowed", "codes"),
    [
        ("7:00:00", True, set()),  # 60:00 before the request at 8:00: fresh (inclusive)
        ("6:59:59", False, {"temperature_stale"}),
    ],
)
def test_discharge_needs_a_temperature_within_60_minutes(
    temperature_at: str, allowed: bool, codes: set[str]
) -> None:
    events = [*DOSED, vitals(temperature_at), *recovered("7:55", t=None), discharge("8:00")]
    assert last(run(events)) == (allowed, codes)


def test_discharge_at_78_over_40_hr_38_t_35_is_refused_whatever_the_override() -> None:
    # Reproduced case 3 of issue 9: there were no low limits. SBP 78 < 80, HR 38 < 40 and
    # T 35.0 ≤ 35.0 are critical low (issue 9 item 3): out of range and a hard stop.
    events = [
        *DOSED,
        *recovered("7:55", sbp=78, dbp=40, hr=38, t=35.0),
        override("7:58", "discharge"),
        discharge("8:00"),
    ]
    assert last(run(events)) == (False, {"vitals_out_of_range", "critical_alert_active"})


def test_a_latest_reading_in_the_caution_range_refuses_discharge_unless_overridden() -> None:
    # SBP 88 < 90: caution low; the alert it raises is active too (both caution: liftable).
    events = [*DOSED, *recovered("7:55", sbp=88, dbp=60), discharge("8:00")]
    assert last(run(events)) == (False, {"vitals_out_of_range", "alert_active"})
    lifted = [*events[:-1], override("7:58", "discharge"), discharge("8:00")]
    assert last(run(lifted)) == (True, {"vitals_out_of_range", "alert_active"})


def test_an_active_caution_alert_refuses_discharge_until_overridden() -> None:
    # One reading back in range does not clear the alert (two are needed, DESIGN.md §4).
    events = [*DOSED, vitals("7:50", sbp=165), *recovered("7:55"), discharge("8:00")]
    assert last(run(events)) == (False, {"alert_active"})
    lifted = [*events[:-1], override("7:58", "discharge"), discharge("8:00")]
    assert last(run(lifted)) == (True, {"alert_active"})


def test_an_active_critical_alert_refuses_discharge_whatever_the_override() -> None:
    events = [
        *DOSED,
        vitals("7:50", sbp=185),
        *recovered("7:55"),
        override("7:58", "discharge"),
        discharge("8:00"),
    ]
    assert last(run(events)) == (False, {"critical_alert_active"})


@pytest.mark.parametrize(
    ("sbp", "hr", "with_override", "allowed", "codes"),
    [
        # Baseline 128/80, HR 80 (the latest reading before the dose); at most 20 above
        # (issue 9 item 4, site default).
        (148, 80, False, True, set()),  # +20
        (149, 80, False, False, {"not_near_baseline"}),  # +21
        (128, 100, False, True, set()),  # +20
        (128, 101, False, False, {"not_near_baseline"}),
        (149, 101, True, True, {"not_near_baseline"}),  # overridable
        (100, 60, False, True, set()),  # below the baseline is not "above" it
    ],
)
def test_discharge_needs_systolic_and_heart_rate_near_the_pre_dose_baseline(
    sbp: float, hr: float, with_override: bool, allowed: bool, codes: set[str]
) -> None:
    events = [*DOSED, *recovered("7:55", sbp=sbp, hr=hr)]
    if with_override:
        events.append(override("7:58", "discharge"))
    assert last(run([*events, discharge("8:00")])) == (allowed, codes)


def test_the_baseline_is_the_latest_reading_before_the_initial_dose() -> None:
    # An earlier, higher pre-dose reading does not lower the bar: 150 is 22 above 128.
    events = [
        vitals("-0:30", sbp=140),
        suds("-0:06", 20),
        vitals("-0:05", sbp=128),
        initial(),
        *recovered("7:55", sbp=150),
        discharge("8:00"),
    ]
    assert last(run(events)) == (False, {"not_near_baseline"})


@pytest.mark.parametrize(
    ("suds_at", "value", "with_override", "allowed", "codes"),
    [
        # Pre-dose SUDS 20 (SUDS 0–100, Wolpe 1969); within 60 min and not above it.
        ("7:00:00", 20, False, True, set()),  # exactly 60 min old, equal to the baseline
        ("6:59:59", 10, False, False, {"distress_stale"}),
        ("7:55:00", 21, False, False, {"distress_above_baseline"}),
        ("7:55:00", 21, True, True, {"distress_above_baseline"}),
        ("7:55:00", 0, False, True, set()),
    ],
)
def test_discharge_needs_distress_recorded_and_not_above_the_pre_dose_rating(
    suds_at: str, value: float, with_override: bool, allowed: bool, codes: set[str]
) -> None:
    events = [*DOSED, suds(suds_at, value), vitals("7:55"), cssrs("7:55")]
    if with_override:
        events.append(override("7:58", "discharge"))
    assert last(run([*events, discharge("8:00")])) == (allowed, codes)


def test_without_a_pre_dose_suds_distress_needs_a_physician_override() -> None:
    events = [vitals("-0:05"), initial(), *recovered("7:55"), discharge("8:00")]
    assert last(run(events)) == (False, {"distress_above_baseline"})


@pytest.mark.parametrize(
    ("risk", "with_override", "allowed", "codes"),
    [
        ("none", False, True, set()),
        ("low", False, True, set()),
        ("moderate", False, False, {"cssrs_moderate"}),
        ("moderate", True, True, {"cssrs_moderate"}),
        ("high", False, False, {"cssrs_high"}),
        ("high", True, False, {"cssrs_high"}),  # never lifted
    ],
)
def test_the_c_ssrs_screener_at_discharge(
    risk: str, with_override: bool, allowed: bool, codes: set[str]
) -> None:
    events = [*DOSED, vitals("7:55"), suds("7:55", 10), cssrs("7:56", risk)]
    if with_override:
        events.append(override("7:58", "discharge"))
    assert last(run([*events, discharge("8:00")])) == (allowed, codes)


def test_a_c_ssrs_from_before_the_dose_does_not_count_at_discharge() -> None:
    events = [cssrs("-0:10"), *DOSED, vitals("7:55"), suds("7:55", 10), discharge("8:00")]
    assert last(run(events)) == (False, {"cssrs_missing"})


@pytest.mark.parametrize(
    ("escort", "overnight", "allowed"),
    [(True, False, True), (False, True, True), (True, True, True), (False, False, False)],
)
def test_discharge_needs_an_adult_escort_or_an_overnight_stay(
    escort: bool, overnight: bool, allowed: bool
) -> None:
    result = run(
        [*DOSED, *recovered("8:00"), discharge("8:05", escort=escort, overnight=overnight)]
    )
    assert last(result) == (allowed, set() if allowed else {"no_escort_or_overnight_stay"})


def test_discharge_needs_the_physician_sign_off_even_with_an_override() -> None:
    events = [
        *DOSED,
        *recovered("8:00"),
        override("8:01", "discharge"),
        discharge("8:05", signoff=False),
    ]
    assert last(run(events)) == (False, {"no_physician_signoff"})


def test_discharge_before_the_initial_dose_names_no_initial_dose() -> None:
    events = [suds("-0:06", 20), *recovered("-0:05"), discharge("-0:01")]
    assert "no_initial_dose" in last(run(events))[1]


def test_discharge_refused_at_6_hours_and_allowed_at_8_hours_in_one_session() -> None:
    events = [*DOSED, *recovered("5:55"), discharge("6:00"), *recovered("7:55"), discharge("8:00")]
    assert [d.allowed for d in run(events).decisions] == [True, False, True]


# --- Measurement schedule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "due_in", "reason", "paged"),
    [
        ([vitals("-0:05")], "0:30", "routine", False),
        ([*DOSED, vitals("5:59:59")], "0:30", "routine", False),
        ([*DOSED, vitals("6:00:00")], "1:00", "routine_late", False),
        ([*DOSED, vitals("1:00", sbp=165)], "0:10", "caution_alert", False),
        ([*DOSED, vitals("1:00", sbp=165, hr=145)], "0:05", "critical_alert", True),
        ([*DOSED, vitals("1:00", spo2=89)], "0:05", "critical_alert", True),  # low critical
        ([*DOSED, vitals("1:00", sbp=165), vitals("1:10")], "0:10", "caution_alert", False),
        (
            [*DOSED, vitals("1:00", sbp=165), vitals("1:10"), vitals("1:20")],
            "0:30",
            "routine",
            False,
        ),
    ],
)
def test_the_next_vitals_are_due_according_to_the_state(
    events: list[dict[str, Any]], due_in: str, reason: str, paged: bool
) -> None:
    due = as_contract(run(events))["vitals_due"][-1]
    h, m = (int(p) for p in due_in.split(":"))
    after = datetime.fromisoformat(due["after"])
    assert datetime.fromisoformat(due["due"]) - after == timedelta(hours=h, minutes=m)
    assert (due["reason"], due["page_physician"]) == (reason, paged)


def test_every_reading_gives_one_vitals_due_item() -> None:
    events = [*DOSED, vitals("0:30"), vitals("1:00"), supplemental("1:35")]
    assert len(as_contract(run(events))["vitals_due"]) == 3


def test_replay_accepts_times_in_the_future() -> None:
    result = run(
        [
            {**vitals("-0:05"), "t": "2099-01-01T07:55:00Z"},
            {**initial(), "t": "2099-01-01T08:00:00Z"},
        ]
    )
    assert last(result) == (True, set())


# --- A whole session, as the browser test runs it ---------------------------------------------


def test_a_whole_session_with_a_critical_alert_an_acknowledgement_and_discharge() -> None:
    events = [
        suds("-0:06", 25),
        vitals("-0:05", sbp=124, dbp=78, hr=72),
        initial(),
        vitals("0:30", sbp=138, dbp=86, hr=88),
        vitals("1:00", sbp=152, dbp=92, hr=104),
        adverse_event("1:10", "bruxism"),  # neither serious nor of special interest
        vitals("1:30", sbp=182, dbp=104, hr=118),  # critical systolic, caution diastolic
        acknowledge("1:31"),  # stops the paging, not the alert
        override("1:32", "supplemental"),
        supplemental("1:33"),  # refused: a critical alert is a hard stop
        vitals("1:36", sbp=158, dbp=94, hr=108),
        vitals("1:41", sbp=150, dbp=90, hr=102),  # second reading inside the limits: cleared
        supplemental("1:43"),  # allowed
        *recovered("5:55", sbp=128, dbp=80, hr=84),
        discharge("6:00"),  # refused: only 6 h after the initial dose
        vitals("7:55", sbp=122, dbp=78, hr=76),
        discharge("8:30"),  # refused: the reading is 35 min old
        *recovered("8:35", sbp=126, dbp=80, hr=78),
        discharge("8:40"),  # allowed
    ]
    result = run(events)
    out = as_contract(result)
    assert [(d["action"], d["allowed"]) for d in out["decisions"]] == [
        ("initial", True),
        ("supplemental", False),
        ("supplemental", True),
        ("discharge", False),
        ("discharge", False),
        ("discharge", True),
    ]
    assert [r.code for r in result.decisions[1].reasons] == [
        "bp_needs_physician",
        "critical_alert_active",
        "alert_active",
    ]
    assert [r.code for r in result.decisions[3].reasons] == ["discharge_too_early"]
    assert {r.code for r in result.decisions[4].reasons} == {
        "vitals_stale",
        "distress_stale",
        "cssrs_missing",
    }
    assert [(a["t"], a["parameter"], a["level"]) for a in out["alerts"]] == [
        ("2026-09-30T09:30:00Z", "systolic", "critical"),
        ("2026-09-30T09:30:00Z", "diastolic", "caution"),
    ]
    assert [d["page_physician"] for d in out["vitals_due"]][3:5] == [True, False]
    assert result.final.total_mg == 120
    assert result.final.discharged_at is not None


def test_a_c_ssrs_typed_in_the_session_never_lowers_the_days_record() -> None:
    # Issue 9 item 6: the record (pre_dose.cssrs_risk, from the administrations) says high.
    events = [cssrs("-0:20", "none"), vitals("-0:05"), initial()]
    assert last(run(events, pre_dose={**PRE_DOSE_OK, "cssrs_risk": "high"})) == (
        False,
        {"cssrs_high"},
    )


@pytest.mark.parametrize(
    ("cssrs_at", "allowed", "codes"),
    [
        ("7:00:00", True, set()),  # 60:00 before the request at 8:00: fresh (inclusive)
        ("6:59:59", False, {"cssrs_missing"}),
    ],
)
def test_the_c_ssrs_screener_at_discharge_is_at_most_60_minutes_old(
    cssrs_at: str, allowed: bool, codes: set[str]
) -> None:
    events = [*DOSED, cssrs(cssrs_at), vitals("7:55"), suds("7:55", 10), discharge("8:00")]
    assert last(run(events)) == (allowed, codes)


# --- The reproduced cases at the top of issue 9, as regression tests ---------------------------


REPRODUCED: list[tuple[str, list[dict[str, Any]], int, dict[str, Any] | None, set[str]]] = [
    (
        "acknowledged at 185/118, HR 128: supplemental allowed with no override",
        [*DOSED, vitals("1:40", 185, 118, 128), acknowledge("1:42"), supplemental("1:45")],
        1,
        None,
        {"critical_alert_active", "alert_active", "bp_needs_physician"},
    ),
    (
        "an override lifted a critical alert at 195/125, HR 150, T 39.5 °C",
        [
            *DOSED,
            vitals("1:40", 195, 125, 150, 39.5),
            override("1:42", "supplemental"),
            supplemental("1:45"),
        ],
        1,
        None,
        {"critical_alert_active", "bp_needs_physician"},
    ),
    (
        "discharge 8 h after the dose with only the pre-dose reading on record",
        [*DOSED, suds("7:55", 10), cssrs("7:55"), discharge("8:00")],
        1,
        None,
        {"vitals_stale", "temperature_stale"},
    ),
    (
        "discharge with the last reading almost 5 h old",
        [*DOSED, vitals("3:05"), suds("7:55", 10), cssrs("7:55"), discharge("8:00")],
        1,
        None,
        {"vitals_stale", "temperature_stale"},
    ),
    (
        "discharge at 78/40, HR 38, T 35.0 °C (no low limits)",
        [*DOSED, *recovered("7:55", sbp=78, dbp=40, hr=38, t=35.0), discharge("8:00")],
        1,
        None,
        {"vitals_out_of_range", "critical_alert_active"},
    ),
    (
        "a serious AE (severe chest pain) did not hold the supplemental dose",
        [
            *DOSED,
            adverse_event("1:00", "severe chest pain", serious=True),
            vitals("1:40"),
            override("1:41", "supplemental"),
            supplemental("1:45"),
        ],
        1,
        None,
        {"adverse_event_hold"},
    ),
    (
        "an open suicide-risk alert did not block the initial dose",
        [vitals("-0:05"), override("-0:01", "initial"), initial()],
        1,
        {**PRE_DOSE_OK, "safety_alert_open": True},
        {"safety_alert_open"},
    ),
    (
        "the gate read a typed C-SSRS value, not the record",
        [cssrs("-0:20", "high"), vitals("-0:05"), initial()],
        1,
        None,
        {"cssrs_high"},
    ),
]


@pytest.mark.parametrize(
    ("case", "events", "session", "pre_dose", "codes"),
    REPRODUCED,
    ids=[case for case, *_ in REPRODUCED],
)
def test_each_reproduced_case_of_issue_9_is_now_refused(
    case: str,
    events: list[dict[str, Any]],
    session: int,
    pre_dose: dict[str, Any] | None,
    codes: set[str],
) -> None:
    assert last(run(events, session=session, pre_dose=pre_dose)) == (False, codes)


def test_the_reproduced_case_of_80_mg_at_sessions_2_and_3_is_now_allowed() -> None:
    # MAPP2 gave "80 or 120 mg" (clinical-facts §1 table).
    for session in (2, 3):
        assert last(run([vitals("-0:05"), initial(mg=80)], session=session)) == (True, set())
