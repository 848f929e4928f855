"""Entries as typed at the console: checked into payloads, and folded by the replay engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mdma_at.domain.adverse_events import SOLICITED_TERMS, AeCategory
from mdma_at.domain.dosing.entries import (
    begin,
    check_payload,
    fold,
    step,
)
from mdma_at.domain.dosing.records import (
    DosingSession,
    EntryKind,
    SessionEntry,
    SessionStatus,
)
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.times import parse_entered_time as parse_time
from mdma_at.protocols import get_protocol

RULES = get_protocol("mapp_v1").dosing
T0 = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)
SESSION = DosingSession(1, 1, 1, "mapp_v1", 1, T0, None, False, 61.0, SessionStatus.OPEN)
CHECKLIST = {
    "consent_current": "on",
    "eligibility_signed": "on",
    "washout_complete": "on",
    "fasting_hours": "11",
    "cssrs_risk": "none",
    "providers_present": "2",
}
NORMAL = {"systolic": "124", "diastolic": "78", "heart_rate": "72", "temperature_c": "36.8"}


def _entry(
    n: int, minutes: int, kind: EntryKind, raw: dict[str, object], role: str
) -> SessionEntry:
    payload = check_payload(kind, raw, recorded_by_physician=role == "physician")
    t = T0 + timedelta(minutes=minutes)
    return SessionEntry(n, 1, t, kind, payload, None, (), None, "x", role, t)


def test_form_text_becomes_numbers_and_flags() -> None:
    assert check_payload(EntryKind.VITALS, NORMAL, recorded_by_physician=False) == {
        "systolic": 124.0,
        "diastolic": 78.0,
        "heart_rate": 72.0,
        "temperature_c": 36.8,
        "spo2": None,
    }
    checklist = check_payload(EntryKind.CHECKLIST, CHECKLIST, recorded_by_physician=True)
    assert checklist["consent_current"] is True and checklist["providers_present"] == 2
    assert checklist["pregnancy_test"] == "not_done"


@pytest.mark.parametrize(
    ("kind", "raw", "field", "message"),
    [
        (EntryKind.VITALS, {**NORMAL, "systolic": "49"}, "vitals.systolic", "49 is outside 50–300"),
        (EntryKind.VITALS, {**NORMAL, "diastolic": "19"}, "vitals.diastolic", "19 is below 20"),
        (
            EntryKind.VITALS,
            {**NORMAL, "diastolic": "124"},
            "vitals.diastolic",
            "below the systolic",
        ),
        (EntryKind.VITALS, {**NORMAL, "heart_rate": "251"}, "vitals.heart_rate", "251 is outside"),
        (EntryKind.VITALS, {**NORMAL, "temperature_c": "29.9"}, "vitals.temperature_c", "outside"),
        (EntryKind.VITALS, {**NORMAL, "systolic": "high"}, "vitals.systolic", "'high' is not a"),
        (EntryKind.REQUEST_INITIAL, {"mg": "0"}, "mg", "0 mg must be greater than 0 mg"),
        (EntryKind.REQUEST_INITIAL, {"mg": "-80"}, "mg", "must be greater than 0 mg"),
        (EntryKind.REQUEST_SUPPLEMENTAL, {"mg": "forty"}, "mg", "'forty' is not a number of mg"),
        (EntryKind.OVERRIDE, {"action": "supplemental", "reason": " "}, "reason", "is required"),
        (EntryKind.OVERRIDE, {"action": "bigger", "reason": "x"}, "action", "is not one of"),
        (EntryKind.NOTE, {"text": ""}, "text", "is required"),
        (EntryKind.ADVERSE_EVENT, {"term": "Nausea", "relatedness": "possible"}, "severity", "req"),
        (
            EntryKind.ADVERSE_EVENT,
            {"term": "Nausea", "severity": "awful", "relatedness": "possible"},
            "severity",
            "'awful' is not one of mild, moderate, severe",
        ),
        (EntryKind.CHECKLIST, {**CHECKLIST, "fasting_hours": "-1"}, "fasting_hours", "negative"),
        (
            EntryKind.CHECKLIST,
            {**CHECKLIST, "providers_present": "1.5"},
            "providers_present",
            "count",
        ),
        (EntryKind.CHECKLIST, {**CHECKLIST, "cssrs_risk": "extreme"}, "cssrs_risk", "not one of"),
        # Issue 9 'Bad input'.
        (EntryKind.VITALS, {**NORMAL, "spo2": "49"}, "vitals.spo2", "49 is outside 50–100 %"),
        (EntryKind.VITALS, {**NORMAL, "spo2": "101"}, "vitals.spo2", "101 is outside 50–100 %"),
        (EntryKind.SUDS, {"value": "lots"}, "value", "'lots' is not a number"),
        (EntryKind.CSSRS, {"risk": "severe"}, "risk", "'severe' is not a C-SSRS risk"),
        (EntryKind.CSSRS, {}, "risk", "None is not a C-SSRS risk"),
        (
            EntryKind.CHECKLIST,
            {**CHECKLIST, "medications_changed": [{"last_dose": "2026-09-01"}]},
            "medications_changed[0].name",
            "is required",
        ),
        (
            EntryKind.CHECKLIST,
            {**CHECKLIST, "medications_changed": ", 2026-09-01"},
            "medications_changed[0].name",
            "is required",
        ),
        (
            EntryKind.CHECKLIST,
            {**CHECKLIST, "medications_changed": "sertraline, yesterday"},
            "medications_changed[0].last_dose",
            "'yesterday' is not an ISO date",
        ),
        (
            EntryKind.CHECKLIST,
            {**CHECKLIST, "pregnancy_test_date": "30/09"},
            "pregnancy_test_date",
            "not an ISO date",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_the_rule(kind, raw, field, message) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_payload(kind, raw, recorded_by_physician=True)
    assert refused.value.field == field
    assert message in refused.value.reason


@pytest.mark.parametrize(
    ("value", "message"),
    [(-1, "-1 is outside the SUDS scale 0–100"), (100.5, "100.5 is outside the SUDS scale 0–100")],
)
def test_a_suds_rating_outside_the_protocol_scale_is_bad_input(value: float, message: str) -> None:
    # SUDS 0–100 (Wolpe 1969), the scale of mapp_v1.
    with pytest.raises(InvalidInput) as refused:
        check_payload(
            EntryKind.SUDS, {"value": str(value)}, recorded_by_physician=False, rules=RULES
        )
    assert (refused.value.field, refused.value.reason) == ("value", message)
    for edge in ("0", "100"):
        ok = check_payload(
            EntryKind.SUDS, {"value": edge}, recorded_by_physician=False, rules=RULES
        )
        assert ok == {"value": float(edge)}


def test_a_future_last_dose_is_bad_input_when_recording_live() -> None:
    # Issue 9 'Bad input': "(when recording; a replay has no clock) with a future last dose".
    raw = {**CHECKLIST, "medications_changed": "sertraline, 2026-10-01"}
    with pytest.raises(InvalidInput) as refused:
        check_payload(EntryKind.CHECKLIST, raw, recorded_by_physician=True, today=T0.date())
    assert refused.value.field == "medications_changed[0].last_dose"
    assert refused.value.reason == "2026-10-01 is in the future (today 2026-09-30)"
    today = {**CHECKLIST, "medications_changed": "sertraline, 2026-09-30"}
    stored = check_payload(EntryKind.CHECKLIST, today, recorded_by_physician=True, today=T0.date())
    assert stored["medications_changed"] == [{"name": "sertraline", "last_dose": "2026-09-30"}]


def test_temperature_and_spo2_may_be_left_blank_on_the_form() -> None:
    raw = {**NORMAL, "temperature_c": "", "spo2": " "}
    stored = check_payload(EntryKind.VITALS, raw, recorded_by_physician=False)
    assert stored["temperature_c"] is None and stored["spo2"] is None


def test_the_initial_request_reads_the_records_not_the_typed_c_ssrs() -> None:
    # Issue 9 item 6: the checklist says "none", the record at the request says high.
    request = {"mg": "80"}
    entries = [
        _entry(1, 5, EntryKind.CHECKLIST, CHECKLIST, "physician"),
        _entry(2, 10, EntryKind.VITALS, NORMAL, "therapist"),
        _entry(3, 12, EntryKind.REQUEST_INITIAL, request, "therapist"),
    ]
    entries[2].payload["records"] = {"cssrs_risk": "high", "safety_alert_open": True}
    decision = fold(SESSION, "male", entries, RULES).steps[2][1].decision
    assert decision is not None and not decision.allowed
    assert {r.code for r in decision.reasons} == {"cssrs_high", "safety_alert_open"}


def test_a_requested_amount_the_rules_refuse_is_not_bad_input() -> None:
    assert check_payload(EntryKind.REQUEST_INITIAL, {"mg": "200"}, recorded_by_physician=False) == {
        "mg": 200.0
    }


def test_the_sign_off_counts_only_when_a_physician_records_it() -> None:
    raw = {"physician_signoff": "on", "escort": "on"}
    by_therapist = check_payload(EntryKind.REQUEST_DISCHARGE, raw, recorded_by_physician=False)
    by_physician = check_payload(EntryKind.REQUEST_DISCHARGE, raw, recorded_by_physician=True)
    assert by_therapist["physician_signoff"] is False
    assert by_physician["physician_signoff"] is True


@pytest.mark.parametrize(
    ("value", "message"),
    [("30/09/2026 08:30", "is not an ISO-8601 time"), ("2026-09-30T08:30", "has no UTC offset")],
)
def test_entered_times_need_iso_8601_with_an_offset(value, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_time(value)


def test_a_blank_time_means_now() -> None:
    assert parse_time("") is None and parse_time(None) is None
    assert parse_time("2026-09-30T08:30:00Z") == datetime(2026, 9, 30, 8, 30, tzinfo=UTC)


def test_the_fold_gives_the_replay_decisions_and_the_checklist_feeds_the_gate() -> None:
    entries = [
        _entry(1, 5, EntryKind.CHECKLIST, CHECKLIST, "physician"),
        _entry(2, 10, EntryKind.VITALS, NORMAL, "therapist"),
        _entry(3, 12, EntryKind.REQUEST_INITIAL, {"mg": "80"}, "therapist"),
        _entry(4, 100, EntryKind.NOTE, {"text": "calm"}, "therapist"),
    ]
    folded = fold(SESSION, "male", entries, RULES)
    decision = folded.steps[2][1].decision
    assert decision is not None and decision.allowed
    assert folded.state.initial is not None and folded.state.initial.mg == 80
    assert folded.state.last_event_at == T0 + timedelta(minutes=100)


def test_without_a_checklist_every_pre_dose_item_counts_as_not_done() -> None:
    entries = [
        _entry(1, 10, EntryKind.VITALS, NORMAL, "therapist"),
        _entry(2, 12, EntryKind.REQUEST_INITIAL, {"mg": "80"}, "therapist"),
    ]
    decision = fold(SESSION, "male", entries, RULES).steps[1][1].decision
    assert decision is not None and not decision.allowed
    codes = {r.code for r in decision.reasons}
    assert {"consent_not_current", "eligibility_not_signed", "washout_incomplete"} <= codes


def test_entries_no_rule_reads_must_still_keep_time_order() -> None:
    state = begin(SESSION, "female", RULES)
    state = step(
        state,
        EntryKind.VITALS,
        T0 + timedelta(minutes=10),
        {"systolic": 124.0, "diastolic": 78.0, "heart_rate": 72.0, "temperature_c": 36.8},
        "therapist",
        RULES,
    ).state
    with pytest.raises(InvalidInput, match="events must be in time order") as refused:
        step(state, EntryKind.NOTE, T0 + timedelta(minutes=9), {"text": "x"}, "therapist", RULES)
    assert refused.value.field == "t"


def test_the_form_solicits_positive_abuse_related_and_cardiovascular_events() -> None:
    assert "Euphoric mood" in SOLICITED_TERMS[AeCategory.POSITIVE_EFFECT]
    assert SOLICITED_TERMS[AeCategory.ABUSE_RELATED]
    assert "Palpitations" in SOLICITED_TERMS[AeCategory.CARDIOVASCULAR]
