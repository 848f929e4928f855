"""Rows in every register table of a demo clinic, written through the register's services, so the
tamper suite has a row to attack in each (the demo clinic itself gets its register in issue 15,
item 6, not built yet)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mdma_at.adapters.db import tables as t
from mdma_at.bootstrap import Container
from mdma_at.demo.clinic import DEMO_PASSWORD
from mdma_at.domain.accountability import Contents, Form, Unit
from mdma_at.services.access.auth import load_principal
from mdma_at.services.register import ledger as reg


def stock_register(app: Container) -> None:
    with app.uow() as uow:
        found = uow.staff.by_username("p.lindqvist")
        assert found is not None
        pharmacist = load_principal(uow, found[0].id)
    with app.engine.connect() as db:
        session_id = db.execute(
            select(t.dosing_sessions.c.id).where(t.dosing_sessions.c.status == "open")
        ).scalar()
    assert session_id is not None, "the demo clinic has an open dosing session"
    site_id = next(iter(pharmacist.site_ids))
    today = app.clock.now().date()
    receipt = reg.Receipt(
        "DEMO-K-001", "Lipomed AG", "L-DEMO-1", today + timedelta(days=365), Form.CAPSULE,
        "40 mg MDMA HCl", Contents.ACTIVE, "Safe 1", 10, Unit.DOSAGE_UNIT,
    )  # fmt: skip
    container, _ = reg.receive(app.uow(), app.clock, pharmacist, site_id, receipt)
    dispensing = reg.dispense(
        app.uow(), app.clock, pharmacist, container.id, session_id=session_id, quantity=2,
        unit=Unit.DOSAGE_UNIT,
    )  # fmt: skip
    reg.return_unused(
        app.uow(), app.clock, pharmacist, dispensing.id, quantity=1, unit=Unit.DOSAGE_UNIT
    )
    reg.waste(
        app.uow(), app.clock, app.hasher, pharmacist, container.id, quantity=1,
        unit=Unit.DOSAGE_UNIT, reason="dose dropped", witness=reg.Witness("dr.ng", DEMO_PASSWORD),
        dispensing_id=dispensing.id,
    )  # fmt: skip
    reg.reconcile_session(app.uow(), app.clock, pharmacist, session_id)
    _, discrepancy = reg.count(app.uow(), app.clock, pharmacist, container.id, counted=8)
    assert discrepancy is not None  # 9 booked, 8 found
    reg.resolve_discrepancy(
        app.uow(), app.clock, pharmacist, discrepancy.id, reason="one capsule broken", adjust=True
    )
    reg.count(app.uow(), app.clock, pharmacist, container.id, counted=8)
    reg.close_period(app.uow(), app.clock, pharmacist, site_id, today)
