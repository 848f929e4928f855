"""An adverse event's onset lies within its session: from the start to the entry's own time
(issue 14, item 8; ADR 0131)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mdma_at.domain.dosing.entries import check_onset
from mdma_at.domain.errors import InvalidInput

START = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("onset", ["2026-11-22T08:00:00Z", "2026-11-22T09:00:00+01:00", None])
def test_an_onset_at_the_start_or_blank_is_taken(onset: str | None) -> None:
    check_onset({"onset": onset}, START, AT)  # 09:00+01:00 is 08:00 UTC, the start itself


@pytest.mark.parametrize(
    ("onset", "words"),
    [
        ("2026-11-22T07:59:59Z", "is before the session started at 2026-11-22T08:00:00Z"),
        ("2020-01-01T10:00:00Z", "medical history, not an adverse event of this session"),
        ("2026-11-22T12:00:01Z", "is after the entry's own time 2026-11-22T12:00:00Z"),
    ],
)
def test_an_onset_outside_the_session_is_refused_naming_the_field(onset: str, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_onset({"onset": onset}, START, AT)
    assert refused.value.field == "onset" and words in refused.value.reason
