"""Golden timelines for the dosing session (issue 5): every gate at its edges.

Each table reads as the clinic would say it: what was charted, what was asked, what the rules
answer and why (reason codes, documented in docs/session-replay.md). The timelines run through
the same parser and engine as `mdma-at session replay`.

Clock: the initial dose is requested at 08:00:00 UTC ("0:00"); the pre-dose vitals are at
07:55 unless a row says otherwise. Session 1 = 80 mg + up to 40 mg; sessions 2–3 = 120 + 60 mg.
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
    clock: str, sbp: float = 128, dbp: float = 80, hr: float = 80, t: float = 36.8
) -> dict[str, Any]:
    return {
        "t": at(clock),
        "type": "vitals",
        "systolic": sbp,
        "diastolic": dbp,
        "heart_rate": hr,
        "temperature_c": t,
    }


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


DOSED = [vitals("-0:05"), initial()]


# --- The shared example ---------------------------------------------------------------------


def test_the_shared_example_replays_as_its_readme_says() -> None:
    out = as_contract(replay(parse_timeline(json.loads(EXAMPLE.read_text()), lambda _n: MAPP)))
    assert [(d["action"], d["allowed"]) for d in out["decisions"]] == [
        ("initial", True),
        ("supplemental", False),
        ("supplemental", True),
        ("discharge", True),
    ]
    assert out["decisions"][1]["reasons"][0].startswith("alert_active: ")
    assert out["alerts"] == [
        {
            "t": "2026-09-30T10:10:00Z",
            "parameter": "systolic",
            "level": "caution",
            "value": 163,
            "limit": 160,
        }
    ]
    assert len(out["vitals_due"]) == 7
    assert set(out) == {"alerts", "decisions", "vitals_due"}


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


# --- Freshness: the latest vitals may be 15:00 old, not 15:01 ---------------------------------


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
    assert last(run([*DOSED, supplemental("1:45")])) == (False, {"vitals_stale"})


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
    ("parameter", "value", "level", "limit"),
    [
        # Systolic: caution > 160, critical ≥ 180 mmHg.
        ("systolic", 160, None, None),
        ("systolic", 161, "caution", 160),
        ("systolic", 179, "caution", 160),
        ("systolic", 180, "critical", 180),
        ("systolic", 181, "critical", 180),
        # Diastolic: caution > 100, critical ≥ 120 mmHg.
        ("diastolic", 100, None, None),
        ("diastolic", 101, "caution", 100),
        ("diastolic", 119, "caution", 100),
        ("diastolic", 120, "critical", 120),
        ("diastolic", 121, "critical", 120),
        # Heart rate: caution > 120, critical ≥ 140 beats/min.
        ("heart_rate", 120, None, None),
        ("heart_rate", 121, "caution", 120),
        ("heart_rate", 139, "caution", 120),
        ("heart_rate", 140, "critical", 140),
        ("heart_rate", 141, "critical", 140),
        # Temperature: caution ≥ 38.0, critical ≥ 39.0 °C.
        ("temperature", 37.9, None, None),
        ("temperature", 38.0, "caution", 38),
        ("temperature", 38.1, "caution", 38),
        ("temperature", 38.9, "caution", 38),
        ("temperature", 39.0, "critical", 39),
        ("temperature", 39.1, "critical", 39),
    ],
)
def test_each_vital_sign_is_classified_at_its_thresholds(
    parameter: str, value: float, level: str | None, limit: float | None
) -> None:
    reading = {"systolic": 150, "diastolic": 80, "heart_rate": 80, "temperature_c": 36.8}
    reading["temperature_c" if parameter == "temperature" else parameter] = value
    event = vitals(
        "1:40",
        reading["systolic"],
        reading["diastolic"],
        reading["heart_rate"],
        reading["temperature_c"],
    )
    out = as_contract(run([*DOSED, event, supplemental("1:45")]))
    expected = (
        []
        if level is None
        else [
            {
                "t": at("1:40"),
                "parameter": parameter,
                "level": level,
                "value": value,
                "limit": limit,
            }
        ]
    )
    assert [{**a, "t": at("1:40")} for a in out["alerts"]] == expected
    # The supplemental dose follows the alert: refused while one is active.
    assert out["decisions"][-1]["allowed"] is (level is None)


def test_a_reading_gives_one_alert_per_parameter_at_its_highest_level() -> None:
    out = as_contract(run([*DOSED, vitals("1:40", sbp=185, dbp=105, hr=118, t=38.2)]))
    assert [(a["parameter"], a["level"]) for a in out["alerts"]] == [
        ("systolic", "critical"),
        ("diastolic", "caution"),
        ("temperature", "caution"),
    ]


# --- Alert clearing: two consecutive readings below caution, or a physician acknowledges -----


@pytest.mark.parametrize(
    ("readings", "allowed"),
    [
        # Readings after a caution systolic at 1:30; the request comes at 1:59.
        ([], False),
        ([150], False),  # one reading below caution: still active
        ([150, 148], True),  # two in a row: cleared
        ([150, 165, 148], False),  # the run restarts after a reading in range
        ([150, 165, 148, 146], True),
        ([160, 160], True),  # 160 mmHg is not above 160: below caution
    ],
)
def test_an_alert_clears_after_exactly_two_consecutive_readings_below_caution(
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


@pytest.mark.parametrize(
    ("by_role", "allowed"),
    [("physician", True), ("nurse", False), ("therapist", False)],
)
def test_a_physician_acknowledgement_clears_the_active_alerts(by_role: str, allowed: bool) -> None:
    events = [*DOSED, vitals("1:40", sbp=182), acknowledge("1:42", by_role), supplemental("1:45")]
    assert run(events).decisions[-1].allowed is allowed


def test_a_reading_in_range_after_an_acknowledgement_raises_the_alert_again() -> None:
    events = [
        *DOSED,
        vitals("1:35", sbp=182),
        acknowledge("1:36"),
        vitals("1:40", sbp=170),
        supplemental("1:45"),
    ]
    assert last(run(events)) == (False, {"alert_active"})


# --- Overrides lift alert refusals only, for the next request of their action ----------------


@pytest.mark.parametrize(
    ("by_role", "allowed"),
    [("physician", True), ("therapist", False), ("nurse", False)],
)
def test_a_physician_override_lifts_a_critical_alert_refusal_of_the_supplemental_dose(
    by_role: str, allowed: bool
) -> None:
    events = [
        *DOSED,
        vitals("1:40", hr=145),
        override("1:42", "supplemental", by_role),
        supplemental("1:45"),
    ]
    result = run(events)
    assert result.decisions[-1].allowed is allowed
    assert last(result)[1] == {"alert_active"}


def test_an_override_counts_for_the_next_request_of_its_action_only() -> None:
    events = [
        *DOSED,
        vitals("1:40", hr=145),
        override("1:41", "supplemental"),
        supplemental("1:42", mg=41),
        supplemental("1:45"),
    ]
    result = run(events)
    # The first request used the override (and was refused for its amount); the second has none.
    assert [d.allowed for d in result.decisions[1:]] == [False, False]
    assert last(result) == (False, {"alert_active"})


def test_an_override_for_another_action_does_not_lift_the_supplemental_refusal() -> None:
    events = [*DOSED, vitals("1:40", hr=145), override("1:41", "discharge"), supplemental("1:45")]
    assert last(run(events)) == (False, {"alert_active"})


def test_an_override_never_lifts_the_dose_limits() -> None:
    events = [*DOSED, vitals("1:40"), override("1:41", "supplemental"), supplemental("1:45", mg=60)]
    assert last(run(events)) == (False, {"supplemental_above_half"})


# --- Doses: the protocol's initial dose, half-dose limit, 180 mg cap, one of each ------------


@pytest.mark.parametrize(
    ("session", "initial_mg", "allowed"),
    [
        (1, 80, True),
        (1, 120, False),
        (1, 40, False),
        (2, 120, True),
        (2, 80, False),
        (3, 120, True),
    ],
)
def test_the_initial_dose_must_be_the_protocol_dose_for_the_session(
    session: int, initial_mg: float, allowed: bool
) -> None:
    result = run([vitals("-0:05"), initial(mg=initial_mg)], session=session)
    assert last(result) == (allowed, set() if allowed else {"initial_dose_amount"})


@pytest.mark.parametrize(
    ("session", "mg", "allowed", "codes"),
    [
        (1, 39, True, set()),
        (1, 40, True, set()),  # exactly half of 80 mg
        (1, 40.5, False, {"supplemental_above_half"}),
        (2, 60, True, set()),  # exactly half of 120 mg; 120 + 60 = 180 mg, the cap
        (2, 61, False, {"supplemental_above_half", "session_cap"}),
    ],
)
def test_the_supplemental_dose_is_at_most_half_the_initial_dose(
    session: int, mg: float, allowed: bool, codes: set[str]
) -> None:
    events = [
        vitals("-0:05"),
        initial(mg=80 if session == 1 else 120),
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


def test_a_pre_dose_alert_withholds_the_initial_dose_until_a_physician_overrides() -> None:
    assert last(run([vitals("-0:05", hr=125), initial()])) == (False, {"alert_active"})
    lifted = run([vitals("-0:05", hr=125), override("-0:01", "initial"), initial()])
    assert last(lifted) == (True, {"alert_active"})


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
    ],
)
def test_pre_dose_items_at_their_limits_are_met(change: dict[str, Any], allowed: bool) -> None:
    result = run([vitals("-0:05"), initial()], pre_dose={**PRE_DOSE_OK, **change})
    assert result.decisions[-1].allowed is allowed


def test_no_pregnancy_test_is_needed_without_childbearing_potential() -> None:
    pre = {**PRE_DOSE_OK, "pregnancy_test": "not_done"}
    assert last(run([vitals("-0:05"), initial()], pre_dose=pre, childbearing_potential=False)) == (
        True,
        set(),
    )


def test_a_missing_checklist_entry_counts_as_not_done() -> None:
    pre = {k: v for k, v in PRE_DOSE_OK.items() if k != "consent_current"}
    assert last(run([vitals("-0:05"), initial()], pre_dose=pre)) == (False, {"consent_not_current"})


# --- Discharge ---------------------------------------------------------------------------------


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
    assert last(run([*DOSED, vitals("5:55"), discharge(request_at)])) == (allowed, codes)


@pytest.mark.parametrize(
    ("escort", "overnight", "allowed"),
    [(True, False, True), (False, True, True), (True, True, True), (False, False, False)],
)
def test_discharge_needs_an_adult_escort_or_an_overnight_stay(
    escort: bool, overnight: bool, allowed: bool
) -> None:
    result = run([*DOSED, vitals("8:00"), discharge("8:05", escort=escort, overnight=overnight)])
    assert last(result) == (allowed, set() if allowed else {"no_escort_or_overnight_stay"})


def test_discharge_needs_the_physician_sign_off_even_with_an_override() -> None:
    events = [
        *DOSED,
        vitals("8:00"),
        override("8:01", "discharge"),
        discharge("8:05", signoff=False),
    ]
    assert last(run(events)) == (False, {"no_physician_signoff"})


def test_discharge_is_refused_while_the_latest_vitals_are_not_below_caution() -> None:
    result = run([*DOSED, vitals("8:00", sbp=165), discharge("8:05")])
    assert last(result) == (False, {"latest_vitals_not_below_caution"})


def test_discharge_is_refused_while_a_critical_alert_is_active() -> None:
    events = [*DOSED, vitals("7:50", sbp=185), vitals("8:00"), discharge("8:05")]
    assert last(run(events)) == (False, {"critical_alert_active"})


def test_a_caution_alert_that_is_still_active_does_not_by_itself_refuse_discharge() -> None:
    events = [*DOSED, vitals("7:50", sbp=165), vitals("8:00"), discharge("8:05")]
    assert last(run(events)) == (True, set())


def test_a_physician_override_lifts_the_alert_based_discharge_refusals() -> None:
    events = [
        *DOSED,
        vitals("7:50", sbp=185),
        vitals("8:00", sbp=170),
        override("8:02", "discharge"),
        discharge("8:05"),
    ]
    assert last(run(events)) == (True, {"latest_vitals_not_below_caution", "critical_alert_active"})


def test_discharge_refused_at_6_hours_and_allowed_at_8_hours_in_one_session() -> None:
    events = [*DOSED, vitals("5:55"), discharge("6:00"), vitals("7:55"), discharge("8:00")]
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


# --- A whole session, as the browser test of issue 5 runs it ---------------------------------


def test_a_whole_session_with_a_critical_alert_an_override_an_adverse_event_and_discharge() -> None:
    events = [
        vitals("-0:05", sbp=124, dbp=78, hr=72),
        initial(),
        vitals("0:30", sbp=138, dbp=86, hr=88),
        vitals("1:00", sbp=152, dbp=92, hr=104),
        {
            "t": at("1:10"),
            "type": "adverse_event",
            "term": "bruxism",
            "severity": "mild",
            "serious": False,
            "related": "probably",
        },
        vitals("1:30", sbp=182, dbp=104, hr=118),  # critical systolic, caution diastolic
        supplemental("1:32"),  # refused: critical alert active
        override("1:35", "supplemental"),
        vitals("1:36", sbp=172, dbp=98, hr=112),  # still in caution: the alert stays critical
        supplemental("1:38"),  # allowed: the physician override lifts the alert refusal
        vitals("1:43", sbp=158, dbp=94, hr=108),
        vitals("1:48", sbp=150, dbp=90, hr=102),  # second reading below caution: cleared
        vitals("5:55", sbp=128, dbp=80, hr=84),
        discharge("6:00"),  # refused: only 6 h after the initial dose
        vitals("7:55", sbp=122, dbp=78, hr=76),
        discharge("8:00"),  # allowed
    ]
    result = run(events)
    out = as_contract(result)
    assert [(d["action"], d["allowed"]) for d in out["decisions"]] == [
        ("initial", True),
        ("supplemental", False),
        ("supplemental", True),
        ("discharge", False),
        ("discharge", True),
    ]
    assert [r.code for r in result.decisions[1].reasons] == ["alert_active"]
    assert "lifted by physician override" in out["decisions"][2]["reasons"][0]
    assert [r.code for r in result.decisions[3].reasons] == ["discharge_too_early"]
    assert [(a["t"], a["parameter"], a["level"]) for a in out["alerts"]] == [
        (at("1:30").replace("+00:00", "Z"), "systolic", "critical"),
        (at("1:30").replace("+00:00", "Z"), "diastolic", "caution"),
        (at("1:36").replace("+00:00", "Z"), "systolic", "caution"),
    ]
    assert [d["reason"] for d in out["vitals_due"]][3:5] == ["critical_alert", "critical_alert"]
    assert result.final.total_mg == 120
    assert result.final.discharged_at is not None
