"""Rows in every register table of a demo clinic, so the tamper suite has a row to attack in each.

The demo clinic itself books kits, dispensings, administrations, a witnessed waste and a
reconciled session (mdma_at/demo/register.py); this adds what a demo should not carry, because
it would close the demo register's period today: a count that opens a discrepancy, its
resolution with an adjustment, a clean full count and the period closed on it.
"""

from __future__ import annotations

from mdma_at.bootstrap import Container
from mdma_at.demo.register import ACTIVE_KIT, pharmacist
from mdma_at.services.register import ledger as reg


def stock_register(app: Container) -> None:
    who = pharmacist(app.uow)
    site_id = next(iter(who.site_ids))
    lines = reg.stock(app.uow(), app.clock, who, site_id)
    assert lines, "the demo clinic has a stocked register"
    active = next(line for line in lines if line.kit_number == ACTIVE_KIT)
    _, discrepancy = reg.count(
        app.uow(), app.clock, who, active.container_id, counted=active.balance - 1
    )
    assert discrepancy is not None  # one capsule fewer found than booked
    reg.resolve_discrepancy(
        app.uow(), app.clock, who, discrepancy.id, reason="one capsule broken", adjust=True
    )
    for line in reg.stock(app.uow(), app.clock, who, site_id):
        reg.count(app.uow(), app.clock, who, line.container_id, counted=line.balance)
    reg.close_period(app.uow(), app.clock, who, site_id, app.clock.now().date())
