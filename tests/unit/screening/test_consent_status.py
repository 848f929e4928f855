"""The consent status on a day, as a pure rule: none, current, outdated, withdrawn."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.screening import (
    ConsentDocument,
    ConsentSignature,
    ConsentStatus,
    ConsentWithdrawal,
    consent_state,
    dosing_consent,
    validate_consent_document,
)

V1 = ConsentDocument(
    1, 1, "Consent", 1, date(2026, 1, 1), "text", "", datetime(2026, 1, 1, tzinfo=UTC)
)
V2 = ConsentDocument(
    2, 1, "Consent", 2, date(2026, 6, 1), "text", "", datetime(2026, 5, 1, tzinfo=UTC)
)


def signed(document: ConsentDocument, day: str, sid: int = 1) -> ConsentSignature:
    when = datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)
    return ConsentSignature(sid, 7, document.id, "Jordan Reyes", when, 3, "Sam Alvarez", 2)


def withdrawn(day: str) -> ConsentWithdrawal:
    return ConsentWithdrawal(
        1, 7, datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC), "stop", 2
    )


@pytest.mark.parametrize(
    ("signatures", "withdrawals", "on", "expected"),
    [
        ((), (), "2026-07-01", ConsentStatus.NONE),
        ((signed(V1, "2026-03-01"),), (), "2026-02-28", ConsentStatus.NONE),
        ((signed(V1, "2026-03-01"),), (), "2026-03-01", ConsentStatus.CURRENT),
        ((signed(V1, "2026-03-01"),), (), "2026-05-31", ConsentStatus.CURRENT),
        ((signed(V1, "2026-03-01"),), (), "2026-06-01", ConsentStatus.OUTDATED),
        (
            (signed(V1, "2026-03-01"), signed(V2, "2026-06-02", 2)),
            (),
            "2026-06-02",
            ConsentStatus.CURRENT,
        ),
        (
            (signed(V1, "2026-03-01"),),
            (withdrawn("2026-04-01"),),
            "2026-04-01",
            ConsentStatus.WITHDRAWN,
        ),
        (
            (signed(V1, "2026-03-01"),),
            (withdrawn("2026-04-01"),),
            "2026-03-31",
            ConsentStatus.CURRENT,
        ),
        (
            (signed(V1, "2026-03-01"), signed(V1, "2026-05-01", 2)),
            (withdrawn("2026-04-01"),),
            "2026-05-01",
            ConsentStatus.CURRENT,
        ),
    ],
)
def test_the_status_on_a_day_follows_the_latest_event_and_the_version_in_effect(
    signatures, withdrawals, on, expected
) -> None:
    state = consent_state((V1, V2), signatures, withdrawals, date.fromisoformat(on))
    assert state.status is expected


def test_an_outdated_consent_names_both_versions_and_asks_for_re_consent() -> None:
    state = consent_state((V1, V2), (signed(V1, "2026-03-01"),), (), date(2026, 7, 1))
    assert "version 1 signed on 2026-03-01" in state.reason
    assert "version 2 is in effect since 2026-06-01" in state.reason
    assert "re-consent before the next dosing session" in state.reason


@pytest.mark.parametrize(
    "status", [ConsentStatus.NONE, ConsentStatus.OUTDATED, ConsentStatus.WITHDRAWN]
)
def test_a_dosing_session_may_start_only_with_current_consent(status) -> None:
    events = {
        ConsentStatus.NONE: ((), ()),
        ConsentStatus.OUTDATED: ((signed(V1, "2026-03-01"),), ()),
        ConsentStatus.WITHDRAWN: ((signed(V2, "2026-06-03"),), (withdrawn("2026-06-04"),)),
    }[status]
    decision = dosing_consent(consent_state((V1, V2), *events, date(2026, 7, 1)))
    assert not decision.allowed and decision.status is status
    assert decision.reason.startswith("a dosing session needs current consent")
    assert decision.source.site_default


def test_current_consent_allows_a_dosing_session() -> None:
    decision = dosing_consent(
        consent_state((V1, V2), (signed(V2, "2026-06-03"),), (), date(2026, 7, 1))
    )
    assert decision.allowed and "witnessed by Sam Alvarez" in decision.reason


@pytest.mark.parametrize(
    ("title", "version", "effective", "text", "reference", "field"),
    [
        ("", 3, "2026-07-01", "t", "", "title"),
        ("Consent", 0, "2026-07-01", "t", "", "version"),
        ("Consent", 2, "2026-07-01", "t", "", "version"),
        ("Consent", 3, "2026-05-31", "t", "", "effective_on"),
        ("Consent", 3, "2026-07-01", " ", " ", "text"),
    ],
)
def test_a_document_version_that_cannot_be_right_is_refused(
    title, version, effective, text, reference, field
) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_consent_document(
            title, version, date.fromisoformat(effective), text, reference, (V1, V2)
        )
    assert refused.value.field == field


def test_a_reference_alone_is_enough_for_a_paper_form() -> None:
    validate_consent_document("Consent", 3, date(2026, 7, 1), "", "ICF-2026-03", (V1, V2))
