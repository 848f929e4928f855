"""Issue 15's list of bad input, each refused naming the field with nothing stored in ANY table
(not only the ledger), on SQLite and PostgreSQL: dispensing more than the balance, a witness who
is the same user, an expired lot, zero or negative quantities, a movement dated in a closed
period, a unit that does not match the lot's form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from mdma_at.bootstrap import Container
from mdma_at.domain.accountability import Contents, Form, Unit
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.staff import Principal, Role
from mdma_at.services.access.auth import load_principal
from mdma_at.services.access.staff import add_user
from mdma_at.services.patients import schedule
from mdma_at.services.register import ledger as reg
from support.clinic import OPERATOR, PASSWORD, Clinic, register
from support.clock import FixedClock
from support.db import row_counts

RECEIPT = reg.Receipt(
    "K-0201", "Lipomed AG", "L-B-01", date(2027, 6, 30), Form.CAPSULE, "40 mg MDMA HCl",
    Contents.ACTIVE, "Safe 1", 20, Unit.DOSAGE_UNIT,
)  # fmt: skip


class Setting:
    """A pharmacist, a kit of 20 capsules received today and an open session to dispense to."""

    def __init__(self, ctx: Container, clinic: Clinic) -> None:
        member = add_user(
            ctx.uow(), ctx.clock, ctx.hasher, OPERATOR, username="ph.b", full_name="Pat Pharma",
            password=PASSWORD, grants=[("SITE-A", Role.PHARMACIST)],
        )  # fmt: skip
        with ctx.uow() as uow:
            self.pharmacist: Principal = load_principal(uow, member.id)
        patient = register(ctx, clinic)
        _, visits = schedule.enrol(
            ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1",
            ctx.clock.now().date(),
        )  # fmt: skip
        visit = next(v for v in visits if v.dosing_number)
        with ctx.uow() as uow:
            self.session_id = uow.dosing_sessions.add(
                patient.id, visit.id, "mapp_v1", 1, ctx.clock.now(), None, False, 61.0
            ).id
            uow.commit()
        self.container, _ = reg.receive(
            ctx.uow(), ctx.clock, self.pharmacist, clinic.site_a.id, RECEIPT
        )
        self.ctx = ctx

    def dispense(self, quantity: int = 1, unit: Unit = Unit.DOSAGE_UNIT) -> None:
        reg.dispense(
            self.ctx.uow(), self.ctx.clock, self.pharmacist, self.container.id,
            session_id=self.session_id, quantity=quantity, unit=unit,
        )  # fmt: skip


def _clock(ctx: Container) -> FixedClock:
    assert isinstance(ctx.clock, FixedClock)
    return ctx.clock


def _more_than_the_balance(s: Setting) -> Callable[[], None]:
    return lambda: s.dispense(21)  # 20 received


def _zero(s: Setting) -> Callable[[], None]:
    return lambda: s.dispense(0)


def _negative(s: Setting) -> Callable[[], None]:
    return lambda: s.dispense(-3)


def _wrong_unit(s: Setting) -> Callable[[], None]:
    return lambda: s.dispense(40, Unit.MILLIGRAM)  # capsules are counted in units


def _same_witness(s: Setting) -> Callable[[], None]:
    return lambda: reg.waste(
        s.ctx.uow(), s.ctx.clock, s.ctx.hasher, s.pharmacist, s.container.id, quantity=1,
        unit=Unit.DOSAGE_UNIT, reason="broken", witness=reg.Witness("ph.b", PASSWORD),
    )  # fmt: skip


def _expired_lot(s: Setting) -> Callable[[], None]:
    expired = replace(RECEIPT, kit_number="K-0202", expiry=date(2026, 11, 23))  # the clock's +1
    reg.receive(s.ctx.uow(), s.ctx.clock, s.pharmacist, 1, expired)
    _clock(s.ctx).advance(days=2)
    kit = next(line for line in reg.stock(s.ctx.uow(), s.ctx.clock, s.pharmacist, 1)
               if line.kit_number == "K-0202")  # fmt: skip
    return lambda: reg.dispense(
        s.ctx.uow(), s.ctx.clock, s.pharmacist, kit.container_id, session_id=s.session_id,
        quantity=1, unit=Unit.DOSAGE_UNIT,
    )  # fmt: skip


def _in_a_closed_period(s: Setting) -> Callable[[], None]:
    _clock(s.ctx).advance(minutes=5)
    reg.count(s.ctx.uow(), s.ctx.clock, s.pharmacist, s.container.id, counted=20)
    reg.close_period(s.ctx.uow(), s.ctx.clock, s.pharmacist, 1, s.ctx.clock.now().date())
    return lambda: s.dispense(1)  # today is closed


@pytest.mark.parametrize(
    ("case", "field"),
    [
        (_more_than_the_balance, "quantity"),
        (_zero, "quantity"),
        (_negative, "quantity"),
        (_wrong_unit, "unit"),
        (_same_witness, "witness_id"),
        (_expired_lot, "container_id"),
        (_in_a_closed_period, "at"),
    ],
)
def test_issue_15_bad_input_is_refused_and_nothing_is_stored(
    ctx: Container,
    clinic: Clinic,
    case: Callable[[Setting], Callable[[], None]],
    field: str,
) -> None:
    assert clinic.site_a.id == 1
    attempt = case(Setting(ctx, clinic))
    before = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput) as refused:
        attempt()
    assert refused.value.field == field and refused.value.reason
    assert row_counts(ctx.settings.database_url) == before
