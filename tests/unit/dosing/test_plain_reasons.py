"""Reasons in words for the bedside (issue 13, item 1): sentences on the site's clock, numbers
from the rule's own facts, the code and source kept for the page's "Rule" details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from mdma_at.domain.dosing import Action, apply, evaluate, start
from mdma_at.domain.dosing.events import DistressRated, DoseRequested, VitalsTaken
from mdma_at.domain.dosing.plain import plain_reason
from mdma_at.domain.dosing.session_facts import PatientAtSession, PreDoseChecklist
from mdma_at.domain.sources import for_clinicians
from mdma_at.domain.vitals import VitalSigns
from mdma_at.domain.vocabulary import CssrsRisk, PregnancyTest, Sex
from mdma_at.protocols import get_protocol

RULES = get_protocol("mapp_v1").dosing
T0 = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # 10:00 in New York (EST, UTC−05:00; tz database)
NEW_YORK = ZoneInfo("America/New_York")
PATIENT = PatientAtSession(Sex.FEMALE, 61.0, childbearing_potential=True)
READY = PreDoseChecklist(True, True, True, 11, CssrsRisk.NONE, 2, PregnancyTest.NEGATIVE)


def _dosed_then(reading: VitalSigns, at_minutes: float):  # type: ignore[no-untyped-def]
    state = start(1, PATIENT, READY, RULES)
    state, _ = apply(state, DistressRated(T0 - timedelta(minutes=6), 20), RULES)
    state, _ = apply(
        state, VitalsTaken(T0 - timedelta(minutes=5), VitalSigns(124, 78, 72, 36.6)), RULES
    )
    state, out = apply(state, DoseRequested(T0, Action.INITIAL, 80), RULES)
    assert out.decisions[0].allowed
    state, _ = apply(state, VitalsTaken(T0 + timedelta(minutes=at_minutes), reading), RULES)
    return state


def test_an_active_critical_alert_reads_as_a_sentence_on_the_sites_clock() -> None:
    # 186/112 mmHg: systolic ≥ 180 is a hypertensive crisis (ACC/AHA 2017): a critical alert.
    state = _dosed_then(VitalSigns(186, 112, 96, 37.0), 70)  # 16:10 UTC = 11:10 in New York
    decision = evaluate(
        state, DoseRequested(T0 + timedelta(minutes=95), Action.SUPPLEMENTAL, 40), RULES
    )
    sentences = {r.code: plain_reason(r, Action.SUPPLEMENTAL, NEW_YORK) for r in decision.reasons}
    critical = sentences["critical_alert_active"]
    assert critical.sentence.startswith(
        "Supplemental dose not yet: the blood pressure alert from 11:10 is still active"
    )
    assert not critical.liftable and critical.code == "critical_alert_active"
    assert "16:10" not in critical.sentence and "Z" not in critical.sentence


def test_the_supplemental_window_names_its_opening_time() -> None:
    state = _dosed_then(VitalSigns(124, 78, 72, 36.6), 30)
    decision = evaluate(
        state, DoseRequested(T0 + timedelta(minutes=40), Action.SUPPLEMENTAL, 40), RULES
    )
    window = next(r for r in decision.reasons if r.code == "supplemental_window")
    # MAPP1: the supplemental window opens 1.5 h after the initial dose [S4][S12]:
    # 10:00 + 1:30 = 11:30 in New York.
    assert plain_reason(window, Action.SUPPLEMENTAL, NEW_YORK).sentence == (
        "Supplemental dose not yet: the window for it opens at 11:30."
    )


def test_a_dose_already_given_is_not_possible_rather_than_not_yet() -> None:
    state = _dosed_then(VitalSigns(124, 78, 72, 36.6), 30)
    decision = evaluate(state, DoseRequested(T0 + timedelta(minutes=40), Action.INITIAL, 80), RULES)
    (given,) = decision.reasons
    assert plain_reason(given, Action.INITIAL, NEW_YORK).sentence == (
        "Initial dose not possible: it was already given at 10:00."
    )


def test_citations_lose_internal_references_for_clinicians() -> None:
    assert for_clinicians(
        "Issue 4: PHQ-9 item 9 > 0 raises an alert (see docs/instruments.md)"
    ) == ("PHQ-9 item 9 > 0 raises an alert")
    assert "DESIGN.md" not in for_clinicians("dose (DESIGN.md §4; no trial value published)")
    assert "ADR" not in for_clinicians("doubles the wait (ADR 0106)")
