"""When the next vitals are due, from the alert level and the time since the initial dose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mdma_at.domain.vitals import DueReason, next_due
from mdma_at.domain.vocabulary import AlertLevel
from mdma_at.protocols import get_protocol

SCHEDULE = get_protocol("mapp_v1").dosing.schedule
DOSE = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since_dose", "level", "interval", "reason", "paged"),
    [
        (timedelta(hours=1), None, timedelta(minutes=30), DueReason.ROUTINE, False),
        (
            timedelta(hours=5, minutes=59, seconds=59),
            None,
            timedelta(minutes=30),
            DueReason.ROUTINE,
            False,
        ),
        (timedelta(hours=6), None, timedelta(hours=1), DueReason.ROUTINE_LATE, False),
        (
            timedelta(hours=7),
            AlertLevel.CAUTION,
            timedelta(minutes=10),
            DueReason.CAUTION_ALERT,
            False,
        ),
        (
            timedelta(hours=1),
            AlertLevel.CRITICAL,
            timedelta(minutes=5),
            DueReason.CRITICAL_ALERT,
            True,
        ),
    ],
)
def test_the_interval_follows_the_state(
    since_dose: timedelta,
    level: AlertLevel | None,
    interval: timedelta,
    reason: DueReason,
    paged: bool,
) -> None:
    due = next_due(DOSE + since_dose, DOSE, level, SCHEDULE)
    assert (due.due - due.after, due.reason, due.page_physician) == (interval, reason, paged)


def test_before_the_initial_dose_readings_are_every_30_minutes() -> None:
    due = next_due(DOSE - timedelta(hours=7), None, None, SCHEDULE)
    assert (due.due - due.after, due.reason) == (timedelta(minutes=30), DueReason.ROUTINE)
