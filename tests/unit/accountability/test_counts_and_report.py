"""Counts, discrepancies, period close and the period register (issue 15, item 4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from mdma_at.domain.accountability import (
    Books,
    Container,
    Contents,
    Count,
    Discrepancy,
    Form,
    Kind,
    Movement,
    Unit,
    check_count,
    check_period_close,
    check_resolution,
    period_register,
)
from mdma_at.domain.errors import InvalidInput

KIT = Container(1, 1, "K-1", "Lipomed", "A1", date(2027, 6, 30), Form.POWDER, "MDMA HCl",
                Contents.ACTIVE, "safe")  # fmt: skip
MAR_1 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MAR_2 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MAR_3 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def books() -> Books:
    b = Books().add_container(KIT)
    b = b.apply(Movement(1, Kind.RECEIVE, 1, 1000, Unit.MILLIGRAM, MAR_1, 7))
    b = b.apply(Movement(2, Kind.DISPENSE, 1, 120, Unit.MILLIGRAM, MAR_2, 7, session_id=4))
    b = b.apply(Movement(3, Kind.ADMINISTER, 1, 120, Unit.MILLIGRAM, MAR_2, 8, dispensing_id=2))
    return b.apply(Movement(4, Kind.DISPENSE, 1, 60, Unit.MILLIGRAM, MAR_3, 7, session_id=5))


def test_a_count_is_compared_with_the_books_and_a_difference_is_signed() -> None:
    expected = check_count(books(), 1, 815, MAR_3)
    assert expected == 820  # 1000 received - 120 - 60 dispensed
    assert Count(1, 1, 815, expected, MAR_3, 7).difference == -5  # 5 mg missing
    with pytest.raises(InvalidInput) as refused:
        check_count(books(), 1, -1, MAR_3)
    assert refused.value.field == "counted"


def test_a_discrepancy_is_resolved_once_and_only_with_a_reason() -> None:
    open_ = Discrepancy(1, 1, 1, -5, MAR_3)
    assert check_resolution(open_, "  spilled while weighing ") == "spilled while weighing"
    with pytest.raises(InvalidInput):
        check_resolution(open_, " ")
    with pytest.raises(InvalidInput):
        check_resolution(replace(open_, resolution="done", resolved_by=7), "again")


def test_a_period_closes_only_on_a_full_clean_count_after_the_last_movement() -> None:
    early = Count(1, 1, 1000, 1000, MAR_1.replace(hour=10), 7)  # before the dispensings
    with pytest.raises(InvalidInput, match="no count"):
        check_period_close(books(), 1, date(2026, 3, 3), [early], [])
    final = Count(2, 1, 820, 820, MAR_3.replace(hour=18), 7)
    check_period_close(books(), 1, date(2026, 3, 3), [early, final], [])
    with pytest.raises(InvalidInput, match="open"):
        check_period_close(books(), 1, date(2026, 3, 3), [final], [Discrepancy(9, 2, 1, -5, MAR_3)])
    closed = books().close_period(1, date(2026, 3, 3))
    with pytest.raises(InvalidInput):
        closed.close_period(1, date(2026, 3, 3))


def test_the_period_register_carries_the_opening_into_the_closing() -> None:
    (line,) = period_register(books(), 1, date(2026, 3, 2), date(2026, 3, 2))
    # opening: the 1000 mg received on 1 March; in the period 120 dispensed (the administration
    # moves custody, not stock); the 3 March dispensing falls after it
    assert line.opening == 1000
    assert [(m.id, change) for m, change in line.movements] == [(2, -120), (3, 0)]
    assert line.closing == 880
    with pytest.raises(InvalidInput):
        period_register(books(), 1, date(2026, 3, 2), date(2026, 3, 1))
