"""Random programs of register operations, for property tests on the domain and the databases.

A program is a list of `Op`s; `run_program` turns each into a movement (or a session or period
close) against the current books and lets the rules accept or refuse it. The checks in
`assert_invariants` recompute everything from the accepted movements independently of
`Books`' own arithmetic: by summing the entries kind by kind, as an inspector reads the register.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from mdma_at.domain.accountability import Books, Container, Contents, Form, Kind, Movement, Unit

DAY0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
PHARMACIST, WITNESS = 1, 2
SITE_A, SITE_B = 1, 2

CONTAINERS = (
    Container(1, SITE_A, "K-001", "Lipomed", "L-ACT-1", date(2026, 1, 20), Form.CAPSULE,
              "40 mg MDMA HCl", Contents.ACTIVE, "safe A"),
    Container(2, SITE_A, "K-002", "Lipomed", "L-PLA-1", date(2026, 2, 10), Form.CAPSULE,
              "placebo", Contents.PLACEBO, "safe A"),
    Container(3, SITE_A, "K-003", "Lipomed", "L-PWD-1", date(2026, 1, 30), Form.POWDER,
              "MDMA HCl 99.7%", Contents.ACTIVE, "safe A"),
    Container(4, SITE_B, "K-001", "Lipomed", "L-ACT-1", date(2026, 1, 20), Form.CAPSULE,
              "40 mg MDMA HCl", Contents.ACTIVE, "safe B"),
)  # fmt: skip

OPS = (
    "receive", "dispense", "administer", "return", "waste", "waste_stock", "transfer_out",
    "transfer_in", "adjust", "correction", "close_session", "close_period",
)  # fmt: skip

# realistic weights: mostly stock flowing to sessions, now and then a close or a mistake
WEIGHTED = (*OPS, "receive", "dispense", "dispense", "administer", "administer", "return", "waste")


@dataclass(frozen=True)
class Op:
    name: str
    container: int  # index into CONTAINERS
    quantity: int
    day: int
    session: int
    pick: int  # which earlier entry a link picks
    same_witness: bool
    wrong_unit: bool


ops = st.builds(
    Op,
    name=st.sampled_from(WEIGHTED),
    container=st.integers(0, 3),
    quantity=st.integers(-1, 12),
    day=st.integers(0, 2),  # days after the previous op: time goes forward, slowly
    session=st.integers(1, 3),
    pick=st.integers(0, 50),
    same_witness=st.booleans(),
    wrong_unit=st.sampled_from([False] * 9 + [True]),  # one op in ten
)
programs = st.lists(ops, min_size=5, max_size=40)


# Every program starts from a stocked register: 50 of each kind received at site A.
PRELUDE = [Op("receive", index, 10, 0, 1, 0, False, False) for index in range(3)]


def dated(program: list[Op]) -> list[tuple[Op, datetime]]:
    """Each op with its time: the day increments add up, so the register is written forwards."""
    day, out = 0, []
    for index, op in enumerate(PRELUDE + program):
        day += op.day
        out.append((op, DAY0 + timedelta(days=day, minutes=index)))
    return out


def movement_for(books: Books, op: Op, new_id: int, at: datetime) -> Movement | None:
    """The movement an op asks for, linked to earlier entries it picks (None: a close op)."""
    container = CONTAINERS[op.container]
    unit = container.unit
    if op.wrong_unit:
        unit = Unit.MILLIGRAM if unit is Unit.DOSAGE_UNIT else Unit.DOSAGE_UNIT
    base = {"id": new_id, "container_id": container.id, "quantity": op.quantity,
            "unit": unit, "at": at, "recorded_by": PHARMACIST}  # fmt: skip
    earlier = sorted(books.movements.values(), key=lambda m: m.id)

    def pick(kind: Kind, where: Callable[[Movement], bool] = lambda m: True) -> int | None:
        candidates = [m.id for m in earlier if m.kind is kind and where(m)]
        return candidates[op.pick % len(candidates)] if candidates else None

    match op.name:
        case "receive":
            return Movement(kind=Kind.RECEIVE, **{**base, "quantity": op.quantity * 5})
        case "dispense":
            if op.pick % 2 == 0:  # half the time from the fullest kit, so that stock flows
                fullest = max(CONTAINERS[:3], key=lambda c: books.balance(c.id))
                base = {**base, "container_id": fullest.id, "unit": fullest.unit}
            return Movement(kind=Kind.DISPENSE, session_id=op.session, **base)
        case "administer" | "return" | "waste":
            dispensing = pick(Kind.DISPENSE, lambda m: m.container_id == container.id)
            held = [d for d, left in sorted(books.custody.items()) if left > 0]
            if op.pick % 2 == 0 and held:  # half the time from a dispensing that holds some
                dispensing = held[op.pick % len(held)]
                within = books.containers[books.movements[dispensing].container_id]
                quantity = books.custody[dispensing] if op.pick % 4 == 0 else op.quantity
                base = {**base, "container_id": within.id, "quantity": quantity,
                        "unit": within.unit}  # fmt: skip
            kind = {"administer": Kind.ADMINISTER, "return": Kind.RETURN}.get(op.name, Kind.WASTE)
            witness = PHARMACIST if op.same_witness else WITNESS
            return Movement(kind=kind, dispensing_id=dispensing, witness_id=witness,
                            reason="remainder of the dose", **base)  # fmt: skip
        case "waste_stock":
            witness = PHARMACIST if op.same_witness else WITNESS
            return Movement(kind=Kind.WASTE, witness_id=witness, reason="broken capsule", **base)
        case "transfer_out":
            return Movement(kind=Kind.TRANSFER_OUT, to_site_id=SITE_B, **base)
        case "transfer_in":
            sent = pick(Kind.TRANSFER_OUT)
            quantity = books.movements[sent].quantity if sent is not None else op.quantity
            return Movement(kind=Kind.TRANSFER_IN, linked_id=sent,
                            **{**base, "container_id": 4, "quantity": quantity})  # fmt: skip
        case "adjust":
            return Movement(kind=Kind.ADJUST, signed_off_by=WITNESS, reason="count", **base)
        case "correction":
            target = earlier[op.pick % len(earlier)] if earlier else None
            if target is None:
                return Movement(kind=Kind.CORRECTION, reason="wrong", **base)
            return Movement(kind=Kind.CORRECTION, linked_id=target.id, reason="wrong entry",
                            **{**base, "container_id": target.container_id,
                               "quantity": target.quantity,
                               "unit": books.containers[target.container_id].unit})  # fmt: skip
    return None


def close_day(at: datetime) -> date:
    """A period closes through the day before the op (the op's own day stays open)."""
    return (at - timedelta(days=1)).date()


def live(books: Books) -> list[Movement]:
    """Entries neither corrected nor corrections: what the register says happened."""
    return [
        m
        for m in books.movements.values()
        if m.kind is not Kind.CORRECTION and m.id not in books.corrected
    ]


def assert_invariants(books: Books) -> None:
    entries = live(books)
    # balance per container, by summing the register's columns
    for container in books.containers.values():
        mine = [m for m in entries if m.container_id == container.id]
        gained = sum(m.quantity for m in mine if m.kind in (Kind.RECEIVE, Kind.TRANSFER_IN,
                                                            Kind.RETURN, Kind.ADJUST))  # fmt: skip
        lost = sum(m.quantity for m in mine if m.kind in (Kind.DISPENSE, Kind.TRANSFER_OUT))
        lost += sum(m.quantity for m in mine if m.kind is Kind.WASTE and m.dispensing_id is None)
        assert books.balance(container.id) == gained - lost
        assert gained - lost >= 0
    by_id = {m.id: m for m in entries}
    # every dose and every remainder comes out of exactly one live dispensing, never more
    for dispensing in (m for m in entries if m.kind is Kind.DISPENSE):
        out = sum(m.quantity for m in entries if m.dispensing_id == dispensing.id)
        assert out <= dispensing.quantity
        assert dispensing.at.date() <= books.containers[dispensing.container_id].expiry
    for m in entries:
        if m.kind in (Kind.ADMINISTER, Kind.RETURN):
            assert m.dispensing_id in by_id
            assert by_id[m.dispensing_id].kind is Kind.DISPENSE
        if m.dispensing_id is not None:  # nothing leaves a dispensing before it was made
            assert m.at >= by_id[m.dispensing_id].at
        if m.kind is Kind.ADMINISTER:  # no dose from an expired kit
            assert m.at.date() <= books.containers[m.container_id].expiry
        if m.kind is Kind.WASTE:
            assert m.witness_id is not None and m.witness_id != m.recorded_by
    # for every closed session: dispensed = administered + returned + wasted
    for session in books.closed_sessions:
        dispensed = [m for m in entries if m.kind is Kind.DISPENSE and m.session_id == session]
        ids = {m.id for m in dispensed}
        accounted = sum(m.quantity for m in entries if m.dispensing_id in ids)
        assert sum(m.quantity for m in dispensed) == accounted
