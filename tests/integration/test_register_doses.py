"""The console's doses come out of the register (issue 15, item 5; ADR 0111), on SQLite and
PostgreSQL: a dose names its kit, its administration is written in the same transaction, and a
dose from the wrong kit stores neither."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from mdma_at.bootstrap import Container
from mdma_at.domain.accountability import Contents, Form, Unit
from mdma_at.domain.blinding import disclose
from mdma_at.domain.dosing.records import DosingSession, EntryKind
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.staff import Principal, Role
from mdma_at.services.access.auth import load_principal
from mdma_at.services.access.staff import add_user
from mdma_at.services.register import ledger as reg
from mdma_at.services.register.doses import kits_for_session
from mdma_at.services.sessions.recording import Recorded, load_session, record_entry
from mdma_at.services.sessions.timeline import replay_timeline
from support.clinic import OPERATOR, PASSWORD, Clinic
from support.clock import FixedClock
from support.db import row_counts
from support.dosing_day import session_ready_to_dose

RECEIPT = reg.Receipt(
    "K-0101", "Lipomed AG", "L-A-01", date(2027, 6, 30), Form.CAPSULE, "80 mg MDMA HCl",
    Contents.ACTIVE, "Safe 1", 10, Unit.DOSAGE_UNIT,
)  # fmt: skip


@pytest.fixture
def pharmacist(ctx: Container, clinic: Clinic) -> Principal:
    member = add_user(
        ctx.uow(), ctx.clock, ctx.hasher, OPERATOR, username="ph.a", full_name="Pat Pharma",
        password=PASSWORD, grants=[("SITE-A", Role.PHARMACIST)],
    )  # fmt: skip
    with ctx.uow() as uow:
        return load_principal(uow, member.id)


@pytest.fixture
def session(ctx: Container, clinic: Clinic) -> DosingSession:
    return session_ready_to_dose(ctx, clinic, "HC-0101")


def _dispense(
    ctx: Container, clinic: Clinic, pharmacist: Principal, session_id: int, **label: object
) -> int:
    """A kit received at site A and 2 units dispensed to the session; the dispensing's id."""
    container, _ = reg.receive(
        ctx.uow(), ctx.clock, pharmacist, clinic.site_a.id, replace(RECEIPT, **label)
    )
    dispensing = reg.dispense(
        ctx.uow(), ctx.clock, pharmacist, container.id, session_id=session_id, quantity=2,
        unit=Unit.DOSAGE_UNIT,
    )  # fmt: skip
    return dispensing.id


def _clock(ctx: Container) -> FixedClock:
    assert isinstance(ctx.clock, FixedClock)
    return ctx.clock


def _today(ctx: Container) -> date:
    return ctx.clock.now().date()


def _dose(ctx: Container, clinic: Clinic, session: DosingSession, **raw: object) -> Recorded:
    return record_entry(
        ctx.uow(), ctx.clock, clinic.therapist_a, session.id, EntryKind.REQUEST_INITIAL,
        {"mg": 80, **raw},
    )  # fmt: skip


def test_a_dose_names_its_kit_and_its_administration_is_on_the_ledger(
    ctx: Container, clinic: Clinic, pharmacist: Principal, session: DosingSession
) -> None:
    dispensing_id = _dispense(ctx, clinic, pharmacist, session.id)
    kits = disclose(kits_for_session(ctx.uow(), clinic.therapist_a, session.id), clinic.therapist_a)
    assert kits.required
    assert [(k.kit_number, k.held, k.lot) for k in kits.kits] == [("K-0101", 2, None)]  # blinded

    given = _dose(ctx, clinic, session, dispensing_id=str(dispensing_id))

    assert given.entry.allowed is True, given.entry.reasons
    kit = given.entry.payload["kit"]
    assert (kit["kit_number"], kit["quantity"], kit["unit"]) == ("K-0101", 1, "unit")
    tally, open_dispensings = reg.session_tally(ctx.uow(), ctx.clock, pharmacist, session.id)
    # 2 dispensed, the initial dose took 1 (blank quantity: one capsule), 1 still held.
    assert (tally.dispensed, tally.administered, tally.held) == (2, 1, 1)
    with ctx.uow() as uow:
        books = reg.load_books(uow)
    administered = next(m for m in books.movements.values() if m.kind.value == "administer")
    assert administered.id == kit["movement_id"] and administered.dispensing_id == dispensing_id
    file = load_session(ctx.uow(), ctx.clock, clinic.coordinator_a, session.id)
    event = next(e for e in replay_timeline(file)["events"] if e["type"] == "request_initial")
    assert event["kit"] == "K-0101" and "lot" not in event
    assert [d.id for d in open_dispensings] == [dispensing_id]


def test_once_drug_is_dispensed_every_dose_names_its_kit(
    ctx: Container, clinic: Clinic, pharmacist: Principal, session: DosingSession
) -> None:
    _dispense(ctx, clinic, pharmacist, session.id)
    before = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput) as refused:
        _dose(ctx, clinic, session)
    assert refused.value.field == "dispensing_id"
    assert row_counts(ctx.settings.database_url) == before


def test_without_register_drug_a_dose_is_recorded_without_a_kit(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    given = _dose(ctx, clinic, session)
    assert given.entry.allowed is True and "kit" not in given.entry.payload


@pytest.mark.parametrize("case", ["other_session", "emptied", "expired", "not_a_dispensing"])
def test_a_dose_from_a_kit_it_cannot_come_from_stores_neither_dose_nor_entry(
    ctx: Container, clinic: Clinic, pharmacist: Principal, session: DosingSession, case: str
) -> None:
    mine = _dispense(ctx, clinic, pharmacist, session.id)
    dispensing_id = mine
    field = "dispensing_id"
    if case == "other_session":
        other = session_ready_to_dose(ctx, clinic, "HC-0102", consent_version=2)
        dispensing_id = _dispense(ctx, clinic, pharmacist, other.id, kit_number="K-0102")
    elif case == "emptied":
        reg.return_unused(ctx.uow(), ctx.clock, pharmacist, mine, quantity=2, unit=Unit.DOSAGE_UNIT)
        field = "quantity"
    elif case == "expired":
        # Dispensed on its last day of use (allowed), the dose comes the day after.
        dispensing_id = _dispense(
            ctx, clinic, pharmacist, session.id, kit_number="K-0103", expiry=_today(ctx)
        )
        _clock(ctx).advance(days=1)
    else:
        dispensing_id = mine - 1  # the kit's receipt, not a dispensing
    before = row_counts(ctx.settings.database_url)
    raw = {"dispensing_id": dispensing_id}
    with pytest.raises(InvalidInput) as refused:
        _dose(ctx, clinic, session, **raw)
    assert refused.value.field == field
    assert row_counts(ctx.settings.database_url) == before


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"dispensing_id": "two"}, "dispensing_id"),
        ({"dispensing_id": "0"}, "dispensing_id"),
        ({"dispensing_id": "1", "kit_quantity": "-1"}, "kit_quantity"),
        ({"kit_quantity": "1"}, "kit_quantity"),
    ],
)
def test_bad_kit_fields_are_refused_and_nothing_is_stored(
    ctx: Container, clinic: Clinic, session: DosingSession, raw: dict[str, str], field: str
) -> None:
    before = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput) as refused:
        _dose(ctx, clinic, session, **raw)
    assert refused.value.field == field
    assert row_counts(ctx.settings.database_url) == before
