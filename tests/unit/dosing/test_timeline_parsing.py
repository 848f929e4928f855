"""Parsing a timeline: every malformed part is bad input naming its dotted path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mdma_at.domain.dosing.amounts import validate_mg
from mdma_at.domain.dosing.events import DoseRequested, OverrideGiven, VitalsTaken
from mdma_at.domain.dosing.rules import DosingRules
from mdma_at.domain.dosing.timeline import parse_timeline
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.times import parse_time
from mdma_at.domain.vocabulary import CssrsRisk, PregnancyTest
from mdma_at.protocols import get_protocol


def rules_for(name: str) -> DosingRules:
    return get_protocol(name).dosing


BASE: dict[str, Any] = {
    "protocol": "mapp_v1",
    "session_number": 2,
    "patient": {"sex": "male", "weight_kg": 80, "childbearing_potential": False},
    "pre_dose": {"consent_current": True, "fasting_hours": 12, "cssrs_risk": "low"},
    "events": [
        {
            "t": "2026-10-28T08:55:00+01:00",
            "type": "vitals",
            "systolic": 121,
            "diastolic": 77,
            "heart_rate": 66,
            "temperature_c": 36.4,
        },
        {"t": "2026-10-28T08:00:00Z", "type": "request_initial", "mg": 120},
        {
            "t": "2026-10-28T08:01:00Z",
            "type": "override",
            "action": "supplemental",
            "by_role": "physician",
            "reason": "reviewed",
        },
    ],
}


def document(**change: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(change)
    return data


def event(index: int, **change: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["events"][index].update(change)
    return data


def test_a_well_formed_timeline_becomes_domain_values_in_utc() -> None:
    timeline = parse_timeline(document(), rules_for)
    assert timeline.session_number == 2
    assert timeline.checklist.cssrs_risk is CssrsRisk.LOW
    assert timeline.checklist.pregnancy_test is PregnancyTest.NOT_DONE
    assert timeline.checklist.eligibility_signed is False  # missing means not done
    first, second, third = timeline.events
    assert isinstance(first, VitalsTaken) and first.t.isoformat() == "2026-10-28T07:55:00+00:00"
    assert isinstance(second, DoseRequested) and second.mg == 120.0
    assert isinstance(third, OverrideGiven) and third.by_role == "physician"


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        ([], "timeline", "must be a JSON object, not list"),
        (document(protocol=None), "protocol", "is required (a protocol name such as 'mapp_v1')"),
        (document(protocol="mapp_v2"), "protocol", "unknown protocol 'mapp_v2'"),
        (document(session_number="2"), "session_number", "'2' is not a session number"),
        (document(session_number=True), "session_number", "True is not a session number"),
        (document(session_number=4), "session_number", "4 is outside the protocol's sessions 1–3"),
        (document(patient=None), "patient", "must be a JSON object, not NoneType"),
        (
            document(patient={"sex": "f", "childbearing_potential": False}),
            "patient.sex",
            "'f' is not one of female, male, other",
        ),
        (
            document(patient={"sex": "female"}),
            "patient.childbearing_potential",
            "is required (true or false)",
        ),
        (
            document(patient={"sex": "female", "childbearing_potential": "yes"}),
            "patient.childbearing_potential",
            "'yes' is not true or false",
        ),
        (
            document(patient={"sex": "male", "weight_kg": 0, "childbearing_potential": False}),
            "patient.weight_kg",
            "0 is outside 1–400 kg",
        ),
        (
            document(pre_dose={"fasting_hours": -1}),
            "pre_dose.fasting_hours",
            "-1 h must not be negative",
        ),
        (
            document(pre_dose={"providers_present": 1.5}),
            "pre_dose.providers_present",
            "1.5 is not a count",
        ),
        (
            document(pre_dose={"cssrs_risk": "severe"}),
            "pre_dose.cssrs_risk",
            "'severe' is not one of none, low, moderate, high",
        ),
        (
            document(pre_dose={"pregnancy_test": "pending"}),
            "pre_dose.pregnancy_test",
            "'pending' is not one of negative, positive, not_done",
        ),
        (
            document(pre_dose={"consent_current": "true"}),
            "pre_dose.consent_current",
            "'true' is not true or false",
        ),
        (document(events={}), "events", "must be a JSON list of events"),
        (
            event(0, type=None),
            "events[0].type",
            "None is not an event type (vitals, request_initial, "
            "request_supplemental, request_discharge, override, acknowledge, adverse_event, suds, "
            "cssrs)",
        ),
        (event(0, t=None), "events[0].t", "None is not an ISO-8601 time"),
        (
            event(2, action="dose"),
            "events[2].action",
            "'dose' is not one of initial, supplemental, discharge",
        ),
        (event(2, reason=""), "events[2].reason", "is required (a non-empty text)"),
        (event(2, by_role=None), "events[2].by_role", "is required (a non-empty text)"),
        (event(1, mg=float("inf")), "events[1].mg", "inf is not a number of mg"),
    ],
)
def test_malformed_parts_are_bad_input(data: object, field: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_timeline(data, rules_for)
    assert (error.value.field, error.value.reason) == (field, reason)


def test_events_out_of_time_order_are_bad_input_even_across_time_zones() -> None:
    data = event(1, t="2026-10-28T08:54:00+01:00")  # 07:54 UTC, before the 07:55 reading
    with pytest.raises(InvalidInput) as error:
        parse_timeline(data, rules_for)
    assert error.value.field == "events[1].t"
    assert "is before the previous event at 2026-10-28T07:55:00Z" in error.value.reason


def test_events_at_the_same_time_keep_their_order() -> None:
    data = event(1, t="2026-10-28T07:55:00Z")
    assert len(parse_timeline(data, rules_for).events) == 3


def test_discharge_and_adverse_event_fields_are_checked() -> None:
    data = document(
        events=[
            {"t": "2026-10-28T16:00:00Z", "type": "request_discharge", "physician_signoff": "yes"}
        ]
    )
    with pytest.raises(InvalidInput, match="physician_signoff"):
        parse_timeline(data, rules_for)
    data = document(events=[{"t": "2026-10-28T09:00:00Z", "type": "adverse_event"}])
    with pytest.raises(InvalidInput, match=r"events\[0\]\.term"):
        parse_timeline(data, rules_for)
    data = document(
        events=[
            {
                "t": "2026-10-28T09:00:00Z",
                "type": "adverse_event",
                "term": "nausea",
                "serious": "no",
            }
        ]
    )
    with pytest.raises(InvalidInput, match=r"events\[0\]\.serious"):
        parse_timeline(data, rules_for)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (0, "0 mg must be greater than 0 mg"),
        (-0.5, "-0.5 mg must be greater than 0 mg"),
        ("40", "'40' is not a number of mg"),
        (False, "False is not a number of mg"),
        (None, "None is not a number of mg"),
    ],
)
def test_an_amount_must_be_a_positive_number_of_mg(value: object, reason: str) -> None:
    with pytest.raises(InvalidInput) as error:
        validate_mg(value, "mg")
    assert error.value.reason == reason


def test_a_large_amount_is_valid_input_for_the_rules_to_refuse() -> None:
    assert validate_mg(1000, "mg") == 1000.0


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-09-30 08:30", "'2026-09-30 08:30' has no UTC offset (add Z or +hh:mm)"),
        ("yesterday", "'yesterday' is not an ISO-8601 time"),
        ("2026-13-01T00:00:00Z", "'2026-13-01T00:00:00Z' is not an ISO-8601 time"),
        (1727685000, "1727685000 is not an ISO-8601 time"),
    ],
)
def test_malformed_times_are_bad_input(value: object, reason: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_time(value, "t")
    assert error.value.reason == reason


def test_adverse_event_details_must_be_text_when_given() -> None:
    data = document(
        events=[
            {"t": "2026-10-28T09:00:00Z", "type": "adverse_event", "term": "nausea", "severity": 2}
        ]
    )
    with pytest.raises(InvalidInput) as error:
        parse_timeline(data, rules_for)
    assert (error.value.field, error.value.reason) == ("events[0].severity", "2 is not a text")


def with_event(extra: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["events"].append({"t": "2026-10-28T08:30:00Z", **extra})
    return data


def with_pre_dose(**change: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["pre_dose"].update(change)
    return data


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        # Issue 9 'Bad input': SpO2 outside 50–100 %.
        (event(0, spo2=49), "events[0].spo2", "49 is outside 50–100 %"),
        (event(0, spo2=101), "events[0].spo2", "101 is outside 50–100 %"),
        (event(0, spo2="98%"), "events[0].spo2", "'98%' is not a number of %"),
        # SUDS outside its scale (0–100, Wolpe 1969).
        (
            with_event({"type": "suds", "value": 101}),
            "events[3].value",
            "101 is outside the SUDS scale 0–100",
        ),
        (
            with_event({"type": "suds", "value": -1}),
            "events[3].value",
            "-1 is outside the SUDS scale 0–100",
        ),
        (with_event({"type": "suds"}), "events[3].value", "None is not a SUDS rating"),
        # An unknown C-SSRS risk.
        (
            with_event({"type": "cssrs", "risk": "severe"}),
            "events[3].risk",
            "'severe' is not a C-SSRS risk (none, low, moderate, high)",
        ),
        # A medication changed since the last session without a name, or without a date.
        (
            with_pre_dose(medications_changed=[{"last_dose": "2026-10-01"}]),
            "pre_dose.medications_changed[0].name",
            "is required (the medication's name)",
        ),
        (
            with_pre_dose(medications_changed=[{"name": " ", "last_dose": "2026-10-01"}]),
            "pre_dose.medications_changed[0].name",
            "is required (the medication's name)",
        ),
        (
            with_pre_dose(medications_changed=[{"name": "sertraline", "last_dose": "01/10"}]),
            "pre_dose.medications_changed[0].last_dose",
            "'01/10' is not an ISO date (YYYY-MM-DD)",
        ),
        (
            with_pre_dose(medications_changed="sertraline"),
            "pre_dose.medications_changed",
            "must be a list of {name, last_dose}",
        ),
        (
            with_pre_dose(safety_alert_open="yes"),
            "pre_dose.safety_alert_open",
            "'yes' is not true or false",
        ),
        (
            with_event({"type": "adverse_event", "term": "x", "special_interest": "yes"}),
            "events[3].special_interest",
            "'yes' is not true or false",
        ),
    ],
)
def test_issue_9_bad_input_names_the_field_and_the_rule(
    data: object, field: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_timeline(data, rules_for)
    assert (error.value.field, error.value.reason) == (field, reason)


def test_a_replay_accepts_a_last_dose_in_the_future_as_it_has_no_clock() -> None:
    data = with_pre_dose(medications_changed=[{"name": "sertraline", "last_dose": "2099-01-01"}])
    assert parse_timeline(data, rules_for).checklist.medications_changed[0].name == "sertraline"


def test_temperature_and_spo2_are_optional_in_a_reading() -> None:
    data = copy.deepcopy(BASE)
    del data["events"][0]["temperature_c"]
    first = parse_timeline(data, rules_for).events[0]
    assert isinstance(first, VitalsTaken)
    assert first.reading.temperature_c is None and first.reading.spo2 is None
