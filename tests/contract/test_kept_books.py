"""The register's kept books (services.register.kept, ADR 0218) are the full fold.

After each transaction of a register's life (kits received, doses dispensed, given and returned,
sessions reconciled, a period closed), the books `books_of` answers equal the full fold of every
stored row: on the in-memory fake, SQLite and PostgreSQL. The expected value is always the full
fold of the same stored rows, never the kept books' own output.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from contract.conftest import UowFactory
from contract.seed import T0, enrol, planned, seed
from mdma_at.domain.accountability import (
    Books,
    Container,
    Contents,
    Form,
    Kind,
    Movement,
    Unit,
    fold,
)
from mdma_at.services.ports import KeptBooks, RegisterTally, UnitOfWork
from mdma_at.services.register.kept import books_of


def _full_fold(uow: UnitOfWork) -> Books:
    books = fold(uow.register.containers(), uow.register.movements())
    for session_id in sorted(uow.register.closed_sessions()):
        books = books.close_session(session_id)
    for site_id, through in uow.register.periods():
        books = books.close_period(site_id, through)
    return books


def _kit(site_id: int, number: str) -> Container:
    return Container(
        0, site_id, number, "Supplier", "LOT-1", date(2027, 12, 31), Form.CAPSULE, "40 mg",
        Contents.ACTIVE, "safe 1",
    )  # fmt: skip


def test_the_kept_books_are_the_full_fold_after_every_transaction(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        enrolment, first = enrol(uow, s.patient)
        visits = [first] + [
            uow.visits.add_planned(enrolment.id, planned(f"es{n}", 5 + n, date(2026, 11, 22)))
            for n in (2, 3)
        ]
        sessions = [
            uow.dosing_sessions.add(s.patient.id, v.id, "mapp_v1", n, T0, None, False, 70)
            for n, v in enumerate(visits, start=1)
        ]
        uow.commit()
    who = s.therapist.id
    unit = Unit.DOSAGE_UNIT

    def write(step: int) -> None:
        at = T0 + timedelta(hours=step)
        with new_uow() as uow:
            if step == 0:
                kit = uow.register.add_container(_kit(s.site_a.id, "K-1"), who, at)
                uow.register.add_movement(Movement(0, Kind.RECEIVE, kit.id, 30, unit, at, who), at)
            else:
                session = sessions[step % 3]
                kit_id = uow.register.containers()[0].id
                dispensed = uow.register.add_movement(
                    Movement(0, Kind.DISPENSE, kit_id, 2, unit, at, who, session_id=session.id), at
                )
                given = Movement(
                    0, Kind.ADMINISTER, kit_id, 1, unit, at, who,
                    session_id=session.id, dispensing_id=dispensed.id,
                )  # fmt: skip
                uow.register.add_movement(given, at)
                uow.register.add_movement(replace(given, kind=Kind.RETURN), at)
                if step == 4:
                    uow.register.close_period(s.site_b.id, date(2026, 10, 31), who, at)
                if step == 5:  # the third session, never written to again
                    uow.register.close_session(session.id, s.physician.id, at)
            # inside the writing transaction: its own rows count, and nothing is kept
            kept_before = uow.kept_books.get()
            assert books_of(uow) == _full_fold(uow)
            assert uow.kept_books.get() is kept_before
            uow.commit()

    for step in range(7):
        write(step)
        with new_uow() as uow:
            assert books_of(uow) == _full_fold(uow)
            kept = uow.kept_books.get()
            assert kept is not None and kept.tally == uow.register.tally()
            assert books_of(uow) == _full_fold(uow)  # read again: nothing stored since


def _one_receipt_of_30(new_uow: UowFactory) -> Container:
    """A kit received with 30 units, committed: the register the restore tests keep books of."""
    with new_uow() as uow:
        s = seed(uow)
        kit = uow.register.add_container(_kit(s.site_a.id, "K-1"), s.therapist.id, T0)
        receive = Movement(0, Kind.RECEIVE, kit.id, 30, Unit.DOSAGE_UNIT, T0, s.therapist.id)
        uow.register.add_movement(receive, T0)
        uow.commit()
    return kit


def test_books_kept_of_other_rows_are_not_used(new_uow: UowFactory) -> None:
    """A restore (or another database's books) cannot line up: the full fold is answered."""
    kit = _one_receipt_of_30(new_uow)
    with new_uow() as uow:
        stored = uow.register.tally()
        # books kept of three movements, when the database holds one
        claimed = RegisterTally(stored.containers, (3, 3), (0, 0), (0, 0))
        uow.kept_books.keep(KeptBooks(claimed, Books(), uow.audit.head()))
        assert books_of(uow) == _full_fold(uow)
        assert books_of(uow).balance(kit.id) == 30  # the one receipt of 30 above


def test_books_kept_before_a_restore_are_not_used_even_when_the_counts_match(
    new_uow: UowFactory,
) -> None:
    """Rows restored and written again up to the same counts: the audit trail's head the books
    were kept at is not in the trail any more, so the full fold is answered."""
    kit = _one_receipt_of_30(new_uow)
    with new_uow() as uow:
        head = uow.audit.head()
        assert head is not None
        # the same counts, other books (empty), kept at a head whose hash the trail never had
        other_trail = (head[0], "0" * 64)
        uow.kept_books.keep(KeptBooks(uow.register.tally(), Books(), other_trail))
        assert books_of(uow) == _full_fold(uow)
        assert books_of(uow).balance(kit.id) == 30  # the one receipt of 30 above
