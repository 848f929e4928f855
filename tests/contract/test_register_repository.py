"""The controlled-substance register as it stands: append-only books in the order written."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, enrol, seed
from mdma_at.domain.accountability import Container, Contents, Count, Form, Kind, Movement, Unit
from mdma_at.domain.errors import DuplicateKey
from mdma_at.services.ports import RegisterTally


def _kit(site_id: int, number: str) -> Container:
    return Container(
        0,
        site_id,
        number,
        "Supplier",
        "LOT-1",
        date(2027, 12, 31),
        Form.CAPSULE,
        "40 mg",
        Contents.ACTIVE,
        "safe 1",
    )


def test_containers_movements_counts_and_discrepancies(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        who = s.therapist.id
        uow.register.lock_sites([s.site_a.id])
        kit = uow.register.add_container(_kit(s.site_a.id, "K-2"), who, T0)
        other = uow.register.add_container(_kit(s.site_b.id, "K-1"), who, T0)
        receive = Movement(0, Kind.RECEIVE, kit.id, 10, Unit.DOSAGE_UNIT, T0, who, reason="in")
        received = uow.register.add_movement(receive, T0)
        waste = Movement(
            0,
            Kind.WASTE,
            kit.id,
            1,
            Unit.DOSAGE_UNIT,
            T0 - timedelta(days=1),
            who,
            witness_id=s.physician.id,
            reason="broken",
        )
        wasted = uow.register.add_movement(waste, T0)
        count = uow.register.add_count(Count(0, kit.id, 8, 9, T0, who), T0)
        discrepancy = uow.register.open_discrepancy(count, T0)
        uow.commit()
    with new_uow() as uow:
        assert uow.register.containers() == [kit, other]
        assert kit.kit_number == "K-2" and kit.form is Form.CAPSULE
        # in the order written, not by their `at`
        assert uow.register.movements() == [received, wasted]
        assert wasted.witness_id == s.physician.id and wasted.kind is Kind.WASTE
        assert uow.register.counts() == [count]
        assert discrepancy.difference == -1 and discrepancy.open
        assert uow.register.discrepancies() == [discrepancy]
        uow.register.resolve(discrepancy.id, "miscounted", s.physician.id, T0, None)
        uow.commit()
    with new_uow() as uow:
        (resolved,) = uow.register.discrepancies()
        assert (resolved.resolution, resolved.resolved_by, resolved.resolved_at) == (
            "miscounted",
            s.physician.id,
            T0,
        )


def test_periods_oldest_first_and_closed_sessions(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        _, visit = enrol(uow, s.patient)
        session = uow.dosing_sessions.add(s.patient.id, visit.id, "mapp_v1", 1, T0, None, False, 70)
        uow.register.close_period(s.site_b.id, date(2026, 11, 30), s.physician.id, T0)
        uow.register.close_period(s.site_a.id, date(2026, 10, 31), s.physician.id, T0)
        uow.register.close_session(session.id, s.physician.id, T0)
        uow.commit()
    with new_uow() as uow:
        assert uow.register.periods() == [
            (s.site_a.id, date(2026, 10, 31)),
            (s.site_b.id, date(2026, 11, 30)),
        ]
        assert uow.register.closed_sessions() == frozenset({session.id})


@pytest.mark.parametrize("repeat", ["kit", "period"])
def test_a_repeated_key_in_the_register_is_a_duplicate_key(
    new_uow: UowFactory, repeat: str
) -> None:
    with new_uow() as uow:
        s = seed(uow)
    with pytest.raises(DuplicateKey), new_uow() as uow:
        for _ in range(2):
            if repeat == "kit":
                uow.register.add_container(_kit(s.site_a.id, "K-1"), s.therapist.id, T0)
            else:
                uow.register.close_period(s.site_a.id, date(2026, 10, 31), s.physician.id, T0)
    with new_uow() as uow:
        assert uow.register.containers() == [] and uow.register.periods() == []


def test_rows_after_an_id_the_tally_and_what_a_transaction_wrote(new_uow: UowFactory) -> None:
    """What the kept books read (ADR 0218): the rows after the last kept id, each table's rows
    and highest id, and whether this transaction stored anything in the register."""
    with new_uow() as uow:
        s = seed(uow)
        _, visit = enrol(uow, s.patient)
        session = uow.dosing_sessions.add(s.patient.id, visit.id, "mapp_v1", 1, T0, None, False, 70)
        assert not uow.register.written()
        first = uow.register.add_container(_kit(s.site_a.id, "K-1"), s.therapist.id, T0)
        assert uow.register.written()
        second = uow.register.add_container(_kit(s.site_a.id, "K-2"), s.therapist.id, T0)
        receive = Movement(0, Kind.RECEIVE, first.id, 10, Unit.DOSAGE_UNIT, T0, s.therapist.id)
        received = uow.register.add_movement(receive, T0)
        again = uow.register.add_movement(replace(receive, container_id=second.id), T0)
        uow.register.close_session(session.id, s.physician.id, T0)
        uow.commit()
    with new_uow() as uow:
        assert not uow.register.written()  # a new transaction has stored nothing yet
        tally = uow.register.tally()
        # two containers, two movements, one session closed, no period: (rows, highest id)
        assert tally == RegisterTally(
            (2, second.id), (2, again.id), (1, tally.closed_sessions[1]), (0, 0)
        )
        assert tally.closed_sessions[1] > 0
        assert uow.register.containers(after=first.id) == [second]
        assert uow.register.movements(after=received.id) == [again]
        assert uow.register.movements(after=again.id) == []
        assert uow.register.closed_sessions(after=tally.closed_sessions[1]) == frozenset()
        assert uow.register.closed_sessions(after=0) == frozenset({session.id})
