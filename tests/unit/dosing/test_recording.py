"""Live recording refuses times in the future; replay does not call this rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mdma_at.domain.dosing.recording import ensure_not_in_future
from mdma_at.domain.errors import InvalidInput

NOW = datetime(2026, 9, 30, 10, 0, tzinfo=UTC)


def test_a_time_up_to_now_is_recorded() -> None:
    assert ensure_not_in_future(NOW, NOW) == NOW
    assert ensure_not_in_future(NOW - timedelta(hours=1), NOW) == NOW - timedelta(hours=1)


def test_a_time_after_now_is_bad_input_naming_both_times() -> None:
    with pytest.raises(InvalidInput) as error:
        ensure_not_in_future(NOW + timedelta(seconds=1), NOW, field="vitals.t")
    assert error.value.field == "vitals.t"
    assert error.value.reason == "2026-09-30T10:00:01Z is in the future (now 2026-09-30T10:00:00Z)"


def test_a_leeway_allows_for_clock_skew_between_devices() -> None:
    later = NOW + timedelta(seconds=30)
    assert ensure_not_in_future(later, NOW, leeway=timedelta(minutes=1)) == later
