"""Rows in every trial table of a demo clinic, written through the trial services, so the tamper
suite has a row to attack in each (the demo clinic's own running study is issue 16, item 8)."""

from __future__ import annotations

from mdma_at.bootstrap import Container
from mdma_at.domain.staff import Principal
from mdma_at.services.access.auth import load_principal
from mdma_at.services.trials import randomise, studies, unblinding

SEED = "demo-seed-0123456789abcdef0123456789"


def _principal(app: Container, username: str) -> Principal:
    with app.uow() as uow:
        found = uow.staff.by_username(username)
        assert found is not None
        return load_principal(uow, found[0].id)


def set_up_study(app: Container) -> tuple[int, int]:
    """A sealed study at the demo site with one participant ready to randomise: (study, patient)."""
    coordinator = _principal(app, "c.mensah")
    site_id = next(iter(coordinator.site_ids))
    study = studies.create_study(
        app.uow(), app.clock, coordinator, code="DEMO-RCT", title="MDMA-AT vs placebo (demo)",
        site_ids=[site_id], designated_physician="dr.ng", target_size=10,
    )  # fmt: skip
    studies.seal_schedule(
        app.uow(), app.clock, app.schedule_seal, _principal(app, "s.stat"), study.id, SEED
    )
    today = app.clock.now().date()
    with app.uow() as uow:
        in_a_study = {
            x.patient_id for s in uow.studies.list() for x in uow.studies.participants(s.id)
        }  # the demo's own running study (demo/trial.py) has taken some
        ready = [
            p.id
            for p in uow.patients.search(frozenset({site_id}))
            if p.id not in in_a_study and not studies.entry_refusals(uow, p.id, today)
        ]
    assert ready, "the demo clinic has a patient with a signed eligible verdict and consent"
    studies.join_study(app.uow(), app.clock, coordinator, study.id, ready[0])
    return study.id, ready[0]


def run_a_small_study(app: Container) -> None:
    """`set_up_study`, then randomise the participant and unblind them in an emergency."""
    study_id, patient_id = set_up_study(app)
    randomise.randomise(
        app.uow(), app.clock, app.schedule_seal, _principal(app, "c.mensah"), study_id, patient_id
    )
    physician = _principal(app, "dr.ng")
    request = unblinding.request_unblinding(
        app.uow(), app.clock, physician, study_id, patient_id, "suspected serotonin syndrome"
    )
    unblinding.approve_unblinding(app.uow(), app.clock, physician, study_id, request.id)
