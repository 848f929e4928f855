"""The simulated trial `db seed-demo --trial N` seeds beside the demo clinic (issue 19, items 5
and 6; ADR 0219): `mdma-at demo`'s trial, N participants at three sites, run through the use
cases in simulated time that ends before today, into the clinic's own database.

It has its own container, on the same settings (so the same schedule seal and checkpoint log)
and the simulated clock; its central accounts take `sim.` and the demo clinic's password
(`simulation.clinic.BESIDE_DEMO_CLINIC`), so a visitor signs in as `sim.stat` to open its study
and trial report.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from mdma_at.entrypoints.cli.context import cli_actor
from mdma_at.entrypoints.cli.throwaway import no_disk_flush

if TYPE_CHECKING:
    from mdma_at.config import Settings
    from mdma_at.simulation.trial_run import TrialRun

SITES = 3  # as `mdma-at demo` (its default)
SEED = 1  # as `mdma-at demo`: the same participants, at other dates
#: who opens the trial's study page and report (`simulation.clinic.BESIDE_DEMO_CLINIC`)
TRIAL_STATISTICIAN = "sim.stat"


def seed_simulated_trial(settings: Settings, participants: int, today: date) -> TrialRun:
    """Run the trial into the configured database, which must hold no staff yet; its every
    record and audit event is dated before `today`."""
    from mdma_at.bootstrap import bootstrap
    from mdma_at.simulation.clinic import BESIDE_DEMO_CLINIC
    from mdma_at.simulation.trial_run import run_trial, start_clock, start_ended_by

    assert BESIDE_DEMO_CLINIC.statistician == TRIAL_STATISTICIAN
    sites = min(SITES, participants)
    start = start_ended_by(today, participants=participants, sites=sites, seed=SEED)
    clock = start_clock(start)
    ctx = bootstrap(settings, clock)
    no_disk_flush(ctx)
    try:
        return run_trial(
            ctx.uow, clock, ctx.hasher, ctx.schedule_seal, cli_actor(),
            participants=participants, sites=sites, seed=SEED, start=start,
            accounts=BESIDE_DEMO_CLINIC,
        )  # fmt: skip
    finally:
        ctx.engine.dispose()
