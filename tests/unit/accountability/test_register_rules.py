"""The refusals of issue 15 ("Bad input"), each naming its field, and the blinded view."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from mdma_at.domain.accountability import (
    Books,
    Container,
    Contents,
    Form,
    Kind,
    Movement,
    Unit,
    stock_lines,
)
from mdma_at.domain.blinding import disclose
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.staff import Principal, Role

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTIVE = Container(1, 1, "K-1", "Lipomed", "A1", date(2026, 6, 30), Form.CAPSULE, "40 mg",
                   Contents.ACTIVE, "safe")  # fmt: skip
PLACEBO = replace(ACTIVE, id=2, kit_number="K-2", lot="P1", strength="0 mg",
                  contents=Contents.PLACEBO)  # fmt: skip


def stocked() -> Books:
    books = Books().add_container(ACTIVE).add_container(PLACEBO)
    books = books.apply(Movement(1, Kind.RECEIVE, 1, 10, Unit.DOSAGE_UNIT, T, 7))
    books = books.apply(Movement(2, Kind.RECEIVE, 2, 10, Unit.DOSAGE_UNIT, T, 7))
    return books.apply(Movement(3, Kind.DISPENSE, 1, 3, Unit.DOSAGE_UNIT, T, 7, session_id=5))


def refused(books: Books, movement: Movement) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        books.apply(movement)
    return caught.value


def test_dispensing_more_than_the_balance_is_refused() -> None:
    error = refused(stocked(), Movement(9, Kind.DISPENSE, 1, 8, Unit.DOSAGE_UNIT, T, 7, 6))
    # 10 received - 3 dispensed = 7 left (issue 15: dispensing more than the balance)
    assert error.field == "quantity" and "holds 7" in error.reason


def test_a_witness_who_is_the_same_user_is_refused() -> None:
    waste = Movement(9, Kind.WASTE, 1, 1, Unit.DOSAGE_UNIT, T, 7, dispensing_id=3,
                     witness_id=7, reason="dropped")  # fmt: skip
    assert refused(stocked(), waste).field == "witness_id"
    assert refused(stocked(), replace(waste, witness_id=None)).field == "witness_id"


def test_an_expired_lot_is_never_dispensed() -> None:
    late = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # the day after the expiry date
    error = refused(stocked(), Movement(9, Kind.DISPENSE, 1, 1, Unit.DOSAGE_UNIT, late, 7, 6))
    assert error.field == "container_id" and "expired" in error.reason
    on_the_day = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)  # still usable on its expiry date
    stocked().apply(Movement(9, Kind.DISPENSE, 1, 1, Unit.DOSAGE_UNIT, on_the_day, 7, 6))


def test_no_dose_is_given_from_an_expired_kit() -> None:
    dose = Movement(9, Kind.ADMINISTER, 1, 1, Unit.DOSAGE_UNIT,
                    datetime(2026, 7, 1, 9, 0, tzinfo=UTC), 7, dispensing_id=3)  # fmt: skip
    # ACTIVE's expiry is 2026-06-30, its last day of use: the day after, no dose from it.
    error = refused(stocked(), dose)
    assert error.field == "dispensing_id" and "expired" in error.reason
    stocked().apply(replace(dose, at=datetime(2026, 6, 30, 20, 0, tzinfo=UTC)))


@pytest.mark.parametrize("kind", [Kind.ADMINISTER, Kind.RETURN])
def test_nothing_leaves_a_dispensing_before_it_was_made(kind: Kind) -> None:
    earlier = datetime(2026, 3, 2, 8, 59, tzinfo=UTC)  # a minute before the dispensing at T
    error = refused(stocked(), Movement(9, kind, 1, 1, Unit.DOSAGE_UNIT, earlier, 7,
                                        dispensing_id=3))  # fmt: skip
    assert error.field == "at"


@pytest.mark.parametrize("quantity", [0, -1])
def test_zero_or_negative_quantities_are_refused(quantity: int) -> None:
    error = refused(stocked(), Movement(9, Kind.RECEIVE, 1, quantity, Unit.DOSAGE_UNIT, T, 7))
    assert error.field == "quantity"


def test_an_adjustment_is_signed_but_never_zero_and_needs_a_sign_off() -> None:
    adjust = Movement(9, Kind.ADJUST, 1, -1, Unit.DOSAGE_UNIT, T, 7, reason="count: 6 found",
                      signed_off_by=8)  # fmt: skip
    assert stocked().apply(adjust).balance(1) == 6  # 7 booked, one missing
    assert refused(stocked(), replace(adjust, quantity=0)).field == "quantity"
    assert refused(stocked(), replace(adjust, signed_off_by=None)).field == "signed_off_by"
    assert refused(stocked(), replace(adjust, reason=" ")).field == "reason"


def test_a_movement_dated_in_a_closed_period_is_refused() -> None:
    books = stocked().close_period(1, date(2026, 3, 2))
    error = refused(books, Movement(9, Kind.RECEIVE, 1, 1, Unit.DOSAGE_UNIT, T, 7))
    assert error.field == "at" and "closed" in error.reason


def test_a_unit_that_does_not_match_the_lots_form_is_refused() -> None:
    error = refused(stocked(), Movement(9, Kind.RECEIVE, 1, 100, Unit.MILLIGRAM, T, 7))
    assert error.field == "unit"


def test_every_administration_comes_out_of_one_dispensing() -> None:
    dose = Movement(9, Kind.ADMINISTER, 1, 1, Unit.DOSAGE_UNIT, T, 7, dispensing_id=None)
    assert refused(stocked(), dose).field == "dispensing_id"
    assert refused(stocked(), replace(dose, dispensing_id=1)).field == "dispensing_id"  # a receipt
    assert refused(stocked(), replace(dose, dispensing_id=3, quantity=4)).field == "quantity"
    books = stocked().apply(replace(dose, dispensing_id=3))
    assert books.session(5).administered == 1 and books.session(5).held == 2


def test_a_session_closes_only_when_everything_dispensed_is_accounted_for() -> None:
    books = stocked().apply(
        Movement(9, Kind.ADMINISTER, 1, 2, Unit.DOSAGE_UNIT, T, 7, dispensing_id=3)
    )
    with pytest.raises(InvalidInput, match="still holds 1"):
        books.close_session(5)
    books = books.apply(Movement(10, Kind.RETURN, 1, 1, Unit.DOSAGE_UNIT, T, 7, dispensing_id=3))
    tally = books.close_session(5).session(5)
    # 3 dispensed = 2 administered + 1 returned + 0 wasted
    assert (tally.dispensed, tally.administered, tally.returned, tally.wasted) == (3, 2, 1, 0)
    assert books.balance(1) == 8  # 10 received - 3 dispensed + 1 returned


def test_a_correction_reverses_its_entry_and_only_once() -> None:
    fix = Movement(9, Kind.CORRECTION, 1, 3, Unit.DOSAGE_UNIT, T, 7, linked_id=3, reason="typo")
    books = stocked().apply(fix)
    assert books.balance(1) == 10 and books.session(5).dispensed == 0
    assert refused(books, replace(fix, id=10)).field == "linked_id"


def test_a_blinded_user_sees_kits_but_not_what_they_hold() -> None:
    therapist = Principal(2, "t", "Therapist", {1: frozenset({Role.THERAPIST})})
    pharmacist = Principal(3, "p", "Pharmacist", {1: frozenset({Role.PHARMACIST})})
    lines = stock_lines(stocked(), frozenset({1}))
    blinded = disclose(lines, therapist)
    assert [line.kit_number for line in blinded] == ["K-1", "K-2"]
    assert all(
        (line.contents, line.lot, line.supplier, line.strength) == (None, None, None, None)
        for line in blinded
    )
    open_ = disclose(lines, pharmacist)
    assert [line.contents for line in open_] == [Contents.ACTIVE, Contents.PLACEBO]
    # a pharmacist of another site is blinded here (ADR 0110: unblinded at their own site)
    elsewhere = Principal(4, "q", "Pharmacist B", {2: frozenset({Role.PHARMACIST})})
    assert [line.contents for line in disclose(lines, elsewhere)] == [None, None]


def test_a_quantity_beyond_any_container_is_refused_before_the_database() -> None:
    # site default MAX_QUANTITY = 10,000,000 (below PostgreSQL's INTEGER range, 2**31 - 1)
    error = refused(stocked(), Movement(9, Kind.RECEIVE, 1, 10_000_001, Unit.DOSAGE_UNIT, T, 7))
    assert error.field == "quantity"
