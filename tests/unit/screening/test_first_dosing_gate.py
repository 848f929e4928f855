"""The gate before the first dosing session and the physician's signature, as pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from mdma_at.domain.eligibility import Decision
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.screening import (
    ConsentStatus,
    DosingConsent,
    GateReason,
    ScreeningRecord,
    ScreeningSignature,
    decide_signature,
    first_dosing_gate,
)

NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)
CONSENTED = DosingConsent(True, ConsentStatus.CURRENT, "consent is current")
NO_CONSENT = DosingConsent(False, ConsentStatus.NONE, "a dosing session needs current consent")
SCREENED = ScreeningRecord(
    1, 7, "mapp_v1", date(2026, 10, 1), {}, {}, Decision.ELIGIBLE, None, 2, "Ama Mensah", NOW
)


def signed(record: ScreeningRecord, decision: Decision, reason: str | None = None):  # type: ignore[no-untyped-def]
    return replace(record, signature=ScreeningSignature(5, "Dr Ng", NOW, decision, reason))


def codes(gate) -> set[GateReason]:  # type: ignore[no-untyped-def]
    return {code for code, _ in gate.refusals}


def test_a_signed_eligible_verdict_and_current_consent_open_the_gate() -> None:
    gate = first_dosing_gate(signed(SCREENED, Decision.ELIGIBLE), CONSENTED, date(2026, 11, 5))
    assert gate.allowed and gate.explain() == ""


@pytest.mark.parametrize(
    ("screening", "expected"),
    [
        (None, GateReason.NO_SCREENING),
        (SCREENED, GateReason.NOT_SIGNED),
        (signed(SCREENED, Decision.INELIGIBLE), GateReason.NOT_CLEARED),
        (signed(SCREENED, Decision.NEEDS_REVIEW), GateReason.NOT_CLEARED),
    ],
)
def test_without_a_signed_eligible_verdict_the_gate_stays_closed(screening, expected) -> None:
    gate = first_dosing_gate(screening, CONSENTED, date(2026, 11, 5))
    assert codes(gate) == {expected} and not gate.only_the_day_is_wrong


def test_the_day_must_not_be_before_the_earliest_baseline_but_may_be_on_it() -> None:
    washout = signed(
        replace(
            SCREENED, decision=Decision.ELIGIBLE_AFTER_WASHOUT, earliest_baseline=date(2026, 11, 17)
        ),
        Decision.ELIGIBLE_AFTER_WASHOUT,
    )
    early = first_dosing_gate(washout, CONSENTED, date(2026, 11, 16))
    assert codes(early) == {GateReason.BEFORE_WASHOUT} and early.only_the_day_is_wrong
    assert "before the earliest baseline 2026-11-17" in early.explain()
    assert first_dosing_gate(washout, CONSENTED, date(2026, 11, 17)).allowed


def test_an_override_to_eligible_keeps_the_washout_date() -> None:
    review = replace(SCREENED, decision=Decision.NEEDS_REVIEW, earliest_baseline=date(2026, 11, 17))
    gate = first_dosing_gate(
        signed(review, Decision.ELIGIBLE, "reviewed"), CONSENTED, date(2026, 11, 10)
    )
    assert codes(gate) == {GateReason.BEFORE_WASHOUT}


def test_the_day_must_not_be_before_the_screening() -> None:
    gate = first_dosing_gate(signed(SCREENED, Decision.ELIGIBLE), CONSENTED, date(2026, 9, 30))
    assert codes(gate) == {GateReason.BEFORE_SCREENING}


def test_every_reason_is_given_at_once() -> None:
    gate = first_dosing_gate(SCREENED, NO_CONSENT, date(2026, 9, 30))
    assert codes(gate) == {
        GateReason.NOT_SIGNED,
        GateReason.BEFORE_SCREENING,
        GateReason.NO_CURRENT_CONSENT,
    }


def test_signing_as_computed_needs_no_reason() -> None:
    signed_as_is = decide_signature(Decision.NEEDS_REVIEW, None, "", None)
    assert signed_as_is.decision is Decision.NEEDS_REVIEW and signed_as_is.override_reason is None
    same = decide_signature(Decision.ELIGIBLE, Decision.ELIGIBLE, "ignored", None)
    assert same.override_reason is None


def test_an_override_needs_a_reason_and_keeps_it_trimmed() -> None:
    with pytest.raises(InvalidInput) as refused:
        decide_signature(Decision.NEEDS_REVIEW, Decision.ELIGIBLE, "   ", None)
    assert refused.value.field == "reason"
    assert "overriding the verdict needs_review with eligible" in refused.value.reason
    ok = decide_signature(Decision.NEEDS_REVIEW, Decision.ELIGIBLE, " letter on file ", None)
    assert ok.decision is Decision.ELIGIBLE and ok.override_reason == "letter on file"


def test_eligible_after_washout_cannot_be_chosen_without_a_washout() -> None:
    with pytest.raises(InvalidInput) as refused:
        decide_signature(Decision.NEEDS_REVIEW, Decision.ELIGIBLE_AFTER_WASHOUT, "why", None)
    assert refused.value.field == "decision"
