"""Property tests: whatever sequence of movements is tried, the accepted books keep the invariants
of issue 15, item 3, and a refused movement leaves the books exactly as they were."""

from __future__ import annotations

from hypothesis import given, settings

from mdma_at.domain.accountability import Books, fold
from mdma_at.domain.errors import InvalidInput
from support.register_programs import (
    CONTAINERS,
    SITE_A,
    Op,
    assert_invariants,
    close_day,
    dated,
    movement_for,
    programs,
)


def run(program: list[Op]) -> Books:
    books = Books()
    for container in CONTAINERS:
        books = books.add_container(container)
    next_id = 1
    for op, at in dated(program):
        before = books
        try:
            if op.name == "close_session":
                books = books.close_session(op.session)
            elif op.name == "close_period":
                books = books.close_period(SITE_A, close_day(at))
            else:
                movement = movement_for(books, op, next_id, at)
                assert movement is not None
                books = books.apply(movement)
                next_id += 1
        except InvalidInput as refusal:
            assert refusal.field and refusal.reason  # a refusal names the field and the rule
            assert books is before
        assert_invariants(books)
    return books


@settings(max_examples=400)
@given(programs)
def test_random_sequences_keep_the_invariants(program: list[Op]) -> None:
    run(program)


@settings(max_examples=100)
@given(programs)
def test_folding_the_stored_entries_again_gives_the_same_books(program: list[Op]) -> None:
    books = run(program)
    again = fold(CONTAINERS, books.movements.values())
    assert again.balances == books.balances
    assert again.custody == books.custody
