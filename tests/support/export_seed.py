"""A running study in the demo clinic for the export tests: every demo patient who may join
(signed eligible verdict, current consent) joins DEMO-RCT and is randomised, through the trial
services (`support.trial_seed` sets the study up)."""

from __future__ import annotations

from mdma_at.bootstrap import Container
from mdma_at.services.trials import randomise, studies
from support.trial_seed import _principal, set_up_study

STUDY = "DEMO-RCT"


def run_demo_study(app: Container) -> list[int]:
    """Join and randomise every patient who may; returns their patient ids."""
    study_id, first = set_up_study(app)
    coordinator = _principal(app, "c.mensah")
    today = app.clock.now().date()
    with app.uow() as uow:
        ready = [
            p.id
            for p in uow.patients.search(coordinator.site_ids)
            if p.id != first and not studies.entry_refusals(uow, p.id, today)
        ]
    for patient_id in ready:
        studies.join_study(app.uow(), app.clock, coordinator, study_id, patient_id)
    joined = [first, *ready]
    for patient_id in joined:
        randomise.randomise(
            app.uow(), app.clock, app.schedule_seal, coordinator, study_id, patient_id
        )
    return joined
