"""The controlled-substance register through the real services, on SQLite and PostgreSQL
(issue 15): the journey from receipt to reconciliation, each refusal storing nothing, the ledger
refusing raw UPDATE and DELETE, and the invariants over random programs against the database."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import text

from mdma_at.bootstrap import Container
from mdma_at.domain.accountability import Contents, Form, Unit
from mdma_at.domain.blinding import disclose
from mdma_at.domain.errors import InvalidInput, PermissionDenied
from mdma_at.domain.staff import Principal, Role
from mdma_at.services.access.auth import load_principal
from mdma_at.services.access.staff import add_user
from mdma_at.services.audit import verify_audit_chain
from mdma_at.services.patients import schedule
from mdma_at.services.register import ledger as reg
from mdma_at.services.register.report_csv import HEADER, report_csv
from support.clinic import OPERATOR, PASSWORD, Clinic, register
from support.clock import FixedClock

RECEIPT = reg.Receipt(
    "K-0001", "Lipomed AG", "L-A-01", date(2027, 6, 30), Form.CAPSULE, "40 mg MDMA HCl",
    Contents.ACTIVE, "Safe 1, shelf 2", 20, Unit.DOSAGE_UNIT,
)  # fmt: skip


def _pharmacist(ctx: Container, clinic: Clinic, username: str = "ph.a") -> Principal:
    member = add_user(
        ctx.uow(),
        ctx.clock,
        ctx.hasher,
        OPERATOR,
        username=username,
        full_name="Pat Pharma",
        password=PASSWORD,
        grants=[("SITE-A", Role.PHARMACIST)],
    )
    with ctx.uow() as uow:
        return load_principal(uow, member.id)


def _sessions(ctx: Container, clinic: Clinic, how_many: int = 1) -> list[int]:
    """Dosing sessions of a patient at site A, stored through the session repository (the
    console's own start-up rules are tested with the console)."""
    patient = register(ctx, clinic)
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ctx.clock.now().date()
    )
    dosing = [v for v in visits if v.dosing_number][:how_many]
    ids = []
    with ctx.uow() as uow:
        for visit in dosing:
            session = uow.dosing_sessions.add(
                patient.id, visit.id, "mapp_v1", visit.dosing_number or 1, ctx.clock.now(),
                None, False, 61.0,
            )  # fmt: skip
            ids.append(session.id)
        uow.commit()
    return ids


def _clock(ctx: Container) -> FixedClock:
    assert isinstance(ctx.clock, FixedClock)
    return ctx.clock


def _ledger_rows(ctx: Container) -> int:
    with ctx.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM register_movements")).scalar_one()


def test_receipt_to_reconciliation_with_a_witnessed_waste(ctx: Container, clinic: Clinic) -> None:
    pharmacist = _pharmacist(ctx, clinic)
    (session_id,) = _sessions(ctx, clinic)
    container, _ = reg.receive(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, RECEIPT)
    dispensing = reg.dispense(
        ctx.uow(),
        ctx.clock,
        pharmacist,
        container.id,
        session_id=session_id,
        quantity=4,
        unit=Unit.DOSAGE_UNIT,
    )
    reg.administer(
        ctx.uow(), ctx.clock, clinic.physician_a, dispensing.id, quantity=3, unit=Unit.DOSAGE_UNIT
    )
    witness = reg.Witness("dr.a", PASSWORD)
    reg.waste(
        ctx.uow(),
        ctx.clock,
        ctx.hasher,
        pharmacist,
        container.id,
        quantity=1,
        unit=Unit.DOSAGE_UNIT,
        reason="supplemental dose not given",
        witness=witness,
        dispensing_id=dispensing.id,
    )
    tally = reg.reconcile_session(ctx.uow(), ctx.clock, pharmacist, session_id)
    # 4 dispensed = 3 administered + 0 returned + 1 wasted (issue 15, item 3)
    assert (tally.dispensed, tally.administered, tally.returned, tally.wasted) == (4, 3, 0, 1)
    counted, discrepancy = reg.count(ctx.uow(), ctx.clock, pharmacist, container.id, counted=16)
    assert discrepancy is None and counted.expected == 16  # 20 received - 4 dispensed

    day = ctx.clock.now().date()
    report = reg.register_report(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, day, day)
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert rows[0] == list(HEADER) and all(len(row) == len(HEADER) for row in rows)
    assert [row[0] for row in rows[1:]] == ["opening", *["movement"] * 4, "closing"]
    assert rows[-1][HEADER.index("balance")] == "16"
    waste_row = next(row for row in rows if row[HEADER.index("kind")] == "waste")
    assert waste_row[HEADER.index("witness")] == "dr.a (DR.A)"
    with ctx.uow() as uow:
        verdict = verify_audit_chain(uow)
    assert verdict.intact, verdict.problems
    # every register row is sealed: 1 container, 4 movements, 1 count, 1 reconciled session
    # (plus the site, users and patient rows of other tables)
    assert verdict.rows_checked >= 7


def test_a_count_that_disagrees_opens_a_discrepancy_until_resolved(
    ctx: Container, clinic: Clinic
) -> None:
    pharmacist = _pharmacist(ctx, clinic)
    container, _ = reg.receive(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, RECEIPT)
    _, discrepancy = reg.count(ctx.uow(), ctx.clock, pharmacist, container.id, counted=19)
    assert discrepancy is not None and discrepancy.difference == -1  # 19 found, 20 booked
    site = clinic.site_a.id
    assert [d.id for d, _ in reg.discrepancies(ctx.uow(), ctx.clock, pharmacist, site)] == [
        discrepancy.id
    ]
    with pytest.raises(InvalidInput) as refused:
        reg.close_period(ctx.uow(), ctx.clock, pharmacist, site, ctx.clock.now().date())
    assert refused.value.field == "through"
    with pytest.raises(InvalidInput):
        reg.resolve_discrepancy(
            ctx.uow(), ctx.clock, pharmacist, discrepancy.id, reason=" ", adjust=True
        )
    adjustment = reg.resolve_discrepancy(
        ctx.uow(),
        ctx.clock,
        clinic.physician_a,
        discrepancy.id,
        reason="one capsule crushed in transit, found in the box",
        adjust=True,
    )
    assert adjustment is not None and adjustment.quantity == -1
    assert reg.discrepancies(ctx.uow(), ctx.clock, pharmacist, site) == ()
    lines = reg.stock(ctx.uow(), ctx.clock, pharmacist, site)
    assert [line.balance for line in lines] == [19]


def test_bad_input_is_refused_and_nothing_is_stored(ctx: Container, clinic: Clinic) -> None:
    pharmacist = _pharmacist(ctx, clinic)
    (session_id,) = _sessions(ctx, clinic)
    container, _ = reg.receive(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, RECEIPT)
    stored = _ledger_rows(ctx)

    def dispense(quantity: int, unit: Unit = Unit.DOSAGE_UNIT) -> str:
        with pytest.raises(InvalidInput) as refused:
            reg.dispense(
                ctx.uow(), ctx.clock, pharmacist, container.id, session_id=session_id,
                quantity=quantity, unit=unit,
            )  # fmt: skip
        return refused.value.field

    assert dispense(21) == "quantity"  # more than the 20 received
    assert dispense(0) == "quantity"
    assert dispense(-2) == "quantity"
    assert dispense(1, Unit.MILLIGRAM) == "unit"
    with pytest.raises(InvalidInput) as refused:
        reg.waste(
            ctx.uow(), ctx.clock, ctx.hasher, pharmacist, container.id, quantity=1,
            unit=Unit.DOSAGE_UNIT, reason="broken", witness=reg.Witness("ph.a", PASSWORD),
        )  # fmt: skip
    assert refused.value.field == "witness_id"
    with pytest.raises(InvalidInput) as refused:
        reg.waste(
            ctx.uow(), ctx.clock, ctx.hasher, pharmacist, container.id, quantity=1,
            unit=Unit.DOSAGE_UNIT, reason="broken", witness=reg.Witness("dr.a", "wrong guess"),
        )  # fmt: skip
    assert refused.value.field == "witness_password"
    expired = replace(RECEIPT, kit_number="K-9", expiry=date(2026, 11, 21))  # the clock's eve
    with pytest.raises(InvalidInput) as refused:
        reg.receive(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, expired)
    assert refused.value.field == "expiry"
    with pytest.raises(InvalidInput) as refused:
        reg.receive(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, RECEIPT)  # same kit
    assert refused.value.field == "kit_number"
    assert _ledger_rows(ctx) == stored
    assert len(reg.stock(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id)) == 1


def test_nothing_is_dated_in_a_closed_period(ctx: Container, clinic: Clinic) -> None:
    pharmacist = _pharmacist(ctx, clinic)
    (session_id,) = _sessions(ctx, clinic)
    container, _ = reg.receive(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, RECEIPT)
    _clock(ctx).advance(minutes=5)
    reg.count(ctx.uow(), ctx.clock, pharmacist, container.id, counted=20)
    today = ctx.clock.now().date()
    reg.close_period(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, today)
    stored = _ledger_rows(ctx)
    with pytest.raises(InvalidInput) as refused:
        reg.dispense(
            ctx.uow(), ctx.clock, pharmacist, container.id, session_id=session_id, quantity=1,
            unit=Unit.DOSAGE_UNIT,
        )  # fmt: skip
    assert refused.value.field == "at" and "closed" in refused.value.reason
    assert _ledger_rows(ctx) == stored
    _clock(ctx).advance(days=1)
    reg.dispense(
        ctx.uow(),
        ctx.clock,
        pharmacist,
        container.id,
        session_id=session_id,
        quantity=1,
        unit=Unit.DOSAGE_UNIT,
    )


def test_an_expired_lot_is_not_dispensed(ctx: Container, clinic: Clinic) -> None:
    pharmacist = _pharmacist(ctx, clinic)
    (session_id,) = _sessions(ctx, clinic)
    today = ctx.clock.now().date()
    receipt = reg.Receipt(
        "K-0002",
        "Lipomed AG",
        "L-A-02",
        today,
        Form.CAPSULE,
        "40 mg MDMA HCl",
        Contents.ACTIVE,
        "Safe 1",
        5,
        Unit.DOSAGE_UNIT,
    )
    container, _ = reg.receive(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, receipt)
    _clock(ctx).advance(days=1)
    stored = _ledger_rows(ctx)
    with pytest.raises(InvalidInput) as refused:
        reg.dispense(
            ctx.uow(), ctx.clock, pharmacist, container.id, session_id=session_id, quantity=1,
            unit=Unit.DOSAGE_UNIT,
        )  # fmt: skip
    assert refused.value.field == "container_id" and "expired" in refused.value.reason
    assert _ledger_rows(ctx) == stored


def test_a_blinded_clinician_sees_kits_not_contents(ctx: Container, clinic: Clinic) -> None:
    pharmacist = _pharmacist(ctx, clinic)
    reg.receive(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, RECEIPT)
    (line,) = disclose(
        reg.stock(ctx.uow(), ctx.clock, clinic.therapist_a, clinic.site_a.id), clinic.therapist_a
    )
    assert (line.kit_number, line.contents, line.lot) == ("K-0001", None, None)
    with pytest.raises(PermissionDenied):
        reg.register_report(
            ctx.uow(), ctx.clock, clinic.physician_a, clinic.site_a.id, date.today(), date.today()
        )
    with pytest.raises(PermissionDenied):
        reg.receive(ctx.uow(), ctx.clock, clinic.therapist_a, clinic.site_a.id, RECEIPT)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE register_movements SET quantity = 1", "DELETE FROM register_movements"],
)
def test_the_database_refuses_to_rewrite_the_ledger(
    ctx: Container, clinic: Clinic, statement: str
) -> None:
    pharmacist = _pharmacist(ctx, clinic)
    reg.receive(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, RECEIPT)
    with ctx.engine.connect() as connection, pytest.raises(Exception, match="append-only"):
        connection.execute(text(statement))
    with ctx.engine.connect() as connection:
        assert connection.execute(text("SELECT quantity FROM register_movements")).all() == [(20,)]


def test_a_transfer_is_sent_and_received_as_two_linked_entries(
    ctx: Container, clinic: Clinic
) -> None:
    sender = _pharmacist(ctx, clinic)
    member = add_user(
        ctx.uow(),
        ctx.clock,
        ctx.hasher,
        OPERATOR,
        username="ph.b",
        full_name="PH B",
        password=PASSWORD,
        grants=[("SITE-B", Role.PHARMACIST)],
    )
    with ctx.uow() as uow:
        receiver = load_principal(uow, member.id)
    container, _ = reg.receive(ctx.uow(), ctx.clock, sender, clinic.site_a.id, RECEIPT)
    sent = reg.transfer_out(
        ctx.uow(),
        ctx.clock,
        sender,
        container.id,
        to_site_id=clinic.site_b.id,
        quantity=5,
        unit=Unit.DOSAGE_UNIT,
    )
    with pytest.raises(PermissionDenied):  # the sender holds no role at the receiving site
        reg.transfer_in(ctx.uow(), ctx.clock, sender, sent.id, kit_number="B-1", location="x")
    arrived, entry = reg.transfer_in(
        ctx.uow(), ctx.clock, receiver, sent.id, kit_number="B-1", location="Safe B"
    )
    assert entry.linked_id == sent.id and arrived.lot == RECEIPT.lot
    with pytest.raises(InvalidInput) as refused:  # received once only
        reg.transfer_in(ctx.uow(), ctx.clock, receiver, sent.id, kit_number="B-2", location="x")
    assert refused.value.field == "linked_id"
    (a,) = reg.stock(ctx.uow(), ctx.clock, sender, clinic.site_a.id)
    (b,) = reg.stock(ctx.uow(), ctx.clock, receiver, clinic.site_b.id)
    assert (a.balance, b.balance) == (15, 5)  # 20 received at A, 5 sent to B


def test_a_correction_reverses_an_entry_which_stays_on_the_books(
    ctx: Container, clinic: Clinic
) -> None:
    pharmacist = _pharmacist(ctx, clinic)
    (session_id,) = _sessions(ctx, clinic)
    container, _ = reg.receive(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, RECEIPT)
    wrong = reg.dispense(
        ctx.uow(),
        ctx.clock,
        pharmacist,
        container.id,
        session_id=session_id,
        quantity=5,
        unit=Unit.DOSAGE_UNIT,
    )
    with pytest.raises(InvalidInput) as refused:
        reg.correct(ctx.uow(), ctx.clock, pharmacist, wrong.id, reason="")
    assert refused.value.field == "reason"
    fix = reg.correct(ctx.uow(), ctx.clock, pharmacist, wrong.id, reason="typed 5 for 2")
    assert fix.linked_id == wrong.id
    (line,) = reg.stock(ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id)
    assert line.balance == 20  # the dispensing of 5 reversed
    assert _ledger_rows(ctx) == 3  # receipt, the wrong dispensing, its correction
    tally, held = reg.session_tally(ctx.uow(), ctx.clock, pharmacist, session_id)
    assert tally.dispensed == 0 and held == ()
