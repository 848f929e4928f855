"""The demo clinic's controlled-substance register (issue 15, item 6): an active and a placebo
lot received, each demo session supplied from the active kit, its doses given out of that
dispensing from the console, the completed session's leftover capsule wasted with a witness and
its tally reconciled. All through the register's use cases, so the demo is audited like real work.

The demo kits hold 20 mg capsules, so each of the protocol's doses (multiples of 20 mg) is a whole
number of capsules; dates follow the sessions, relative to the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from mdma_at.domain.accountability import Contents, Form, Unit
from mdma_at.domain.staff import Principal
from mdma_at.services.access.auth import load_principal
from mdma_at.services.ports import Clock, PasswordHasher, UnitOfWorkFactory
from mdma_at.services.register import ledger as reg

PHARMACIST = "p.lindqvist"
WITNESS = "dr.ng"  # witnesses the waste with their own password (the demo password)
CAPSULE_MG = 20  # the strength on the demo kits' labels
#: Capsules dispensed to a session beyond its planned doses (wasted, witnessed, if not given).
SPARE_CAPSULES = 1
ACTIVE_KIT = "DEMO-K-001"
PLACEBO_KIT = "DEMO-K-002"


@dataclass(frozen=True, slots=True)
class DemoRegister:
    """The pharmacist and the active kit the demo sessions are supplied from."""

    pharmacist: Principal
    active_kit_id: int


def pharmacist(uow: UnitOfWorkFactory) -> Principal:
    with uow() as work:
        found = work.staff.by_username(PHARMACIST)
        assert found is not None, "the demo staff exist"
        return load_principal(work, found[0].id)


def receive_demo_stock(
    uow: UnitOfWorkFactory, clock: Clock, site_id: int, on: datetime
) -> DemoRegister:
    """Book the demo's two kits in on `on` (before the first demo session): 60 capsules of the
    active lot and 60 of the placebo lot, in the pharmacy safe."""
    who = pharmacist(uow)
    expiry = clock.now().date() + timedelta(days=365)
    active = _receipt(ACTIVE_KIT, "L-2611-A", expiry, Contents.ACTIVE, f"{CAPSULE_MG} mg MDMA HCl")
    placebo = _receipt(PLACEBO_KIT, "L-2611-P", expiry, Contents.PLACEBO, "placebo (lactose)")
    container, _ = reg.receive(uow(), clock, who, site_id, active, at=on)
    reg.receive(uow(), clock, who, site_id, placebo, at=on)
    return DemoRegister(who, container.id)


def capsules(mg: float) -> int:
    """The number of demo capsules in a dose (the demo's doses are multiples of 20 mg)."""
    assert mg % CAPSULE_MG == 0, f"{mg} mg is not a whole number of {CAPSULE_MG} mg capsules"
    return int(mg // CAPSULE_MG)


def dispense(
    uow: UnitOfWorkFactory,
    clock: Clock,
    stock: DemoRegister,
    session_id: int,
    doses_mg: tuple[float, ...],
    at: datetime,
) -> int:
    """Dispense to a session the capsules of every dose it plans, plus one spare; the id of the
    dispensing its doses are taken from."""
    quantity = sum(capsules(mg) for mg in doses_mg) + SPARE_CAPSULES
    movement = reg.dispense(
        uow(), clock, stock.pharmacist, stock.active_kit_id, session_id=session_id,
        quantity=quantity, unit=Unit.DOSAGE_UNIT, at=at,
    )  # fmt: skip
    return movement.id


def waste_and_reconcile(
    uow: UnitOfWorkFactory,
    clock: Clock,
    hasher: PasswordHasher,
    stock: DemoRegister,
    session_id: int,
    dispensing_id: int,
    at: datetime,
    password: str,
) -> None:
    """After discharge: what the session still holds is destroyed, witnessed, and its tally
    closed (dispensed = administered + returned + wasted)."""
    tally, _ = reg.session_tally(uow(), clock, stock.pharmacist, session_id)
    reg.waste(
        uow(), clock, hasher, stock.pharmacist, stock.active_kit_id, quantity=tally.held,
        unit=Unit.DOSAGE_UNIT, reason="spare capsule not needed: destroyed after discharge",
        witness=reg.Witness(WITNESS, password, "demo"), dispensing_id=dispensing_id, at=at,
    )  # fmt: skip
    reg.reconcile_session(uow(), clock, stock.pharmacist, session_id)


def _receipt(kit: str, lot: str, expiry: date, contents: Contents, strength: str) -> reg.Receipt:
    return reg.Receipt(
        kit, "Lipomed AG (demo)", lot, expiry, Form.CAPSULE, strength, contents,
        "Pharmacy safe, shelf 1", 60, Unit.DOSAGE_UNIT,
    )  # fmt: skip
