"""A randomised study on the demo clinic, and what in it reveals an allocation (issue 16, item 3).

The arms get names found nowhere else in the clinic ("verum"/"sham" with a made-up tag), so any
appearance of one in a blinded reader's response is a leak, never a coincidence with the app's
own words; the demo register's kits (an active and a placebo lot, demo/register.py) supply the
kit contents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mdma_at.bootstrap import Container
from mdma_at.domain.randomisation.study import Arm
from mdma_at.domain.staff import Principal
from mdma_at.services.access.auth import load_principal
from mdma_at.services.trials import randomise, studies, unblinding

SEED = "blind-leak-seed-0123456789abcdef0123"
ARMS = (Arm("zq-verum", "Zephyrin verum"), Arm("zq-sham", "Zephyrin sham"))


@dataclass(frozen=True)
class BlindStudy:
    study_id: int
    site_id: int
    #: the participants (once randomised, the first is emergency-unblinded to the physician)
    patient_ids: tuple[int, ...]
    #: what no blinded reader may receive: the arms' codes and names, the kits' contents,
    #: lots, suppliers and label strengths
    arm_values: tuple[str, ...]
    kit_values: tuple[str, ...]


def principal(app: Container, username: str) -> Principal:
    with app.uow() as uow:
        found = uow.staff.by_username(username)
        assert found is not None, username
        return load_principal(uow, found[0].id)


def set_up_blinded_study(app: Container) -> BlindStudy:
    """A sealed study at the demo site that every patient who may join has joined, nobody
    randomised yet (`patient_ids`: the participants, in the order they joined)."""
    coordinator = principal(app, "c.mensah")
    site_id = next(iter(coordinator.site_ids))
    study = studies.create_study(
        app.uow(), app.clock, coordinator, code="BLIND-1", title="Blind leak study",
        site_ids=[site_id], designated_physician="dr.ng", target_size=20, arms=ARMS,
    )  # fmt: skip
    studies.seal_schedule(
        app.uow(), app.clock, app.schedule_seal, principal(app, "s.stat"), study.id, SEED
    )
    today = app.clock.now().date()
    with app.uow() as uow:
        ready = [
            p.id
            for p in uow.patients.search(frozenset({site_id}))
            if not studies.entry_refusals(uow, p.id, today)
        ]
    assert ready, "the demo clinic has patients with a signed eligible verdict and consent"
    for patient_id in ready:
        studies.join_study(app.uow(), app.clock, coordinator, study.id, patient_id)
    with app.uow() as uow:
        kits = [c for c in uow.register.containers() if c.site_id == site_id]
    assert kits, "the demo register holds kits"
    kit_values = sorted({v for c in kits for v in (c.lot, c.supplier, c.strength)} | {"placebo"})
    arm_values = tuple(v for arm in ARMS for v in (arm.code, arm.name))
    return BlindStudy(study.id, site_id, tuple(ready), arm_values, tuple(kit_values))


def randomise_a_blinded_study(app: Container) -> BlindStudy:
    """`set_up_blinded_study`, every participant randomised by the coordinator, and the first
    unblinded in an emergency to the designated physician."""
    study = set_up_blinded_study(app)
    coordinator = principal(app, "c.mensah")
    for patient_id in study.patient_ids:
        randomise.randomise(
            app.uow(), app.clock, app.schedule_seal, coordinator, study.study_id, patient_id
        )
    request = unblinding.request_unblinding(
        app.uow(), app.clock, principal(app, "t.alvarez"), study.study_id, study.patient_ids[0],
        "anaphylaxis",
    )  # fmt: skip
    physician = principal(app, "dr.ng")
    unblinding.approve_unblinding(app.uow(), app.clock, physician, study.study_id, request.id)
    return study


# A form asking someone to guess the arm offers "active" and "placebo" as its answers: the words,
# not the allocation (ADR 0171); a leak scan reads the page without it.
GUESS_FORM = re.compile(r"<form[^>]*data-blinding-guess[^>]*>.*?</form>", re.S)


def without_guess_forms(html: str) -> str:
    return GUESS_FORM.sub("", html)
