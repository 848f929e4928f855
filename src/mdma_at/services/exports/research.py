"""The records of a de-identified research set (issue 17, item 3), as the user who asks.

Every patient at the sites where the user holds `EXPORT_RESEARCH` is included, each with a
research key (ADR 0185): a pseudonym that is not derived from anything about the patient and a
date shift, both drawn at random the first time the patient is exported and kept only in the
identified database, so every later export of that patient uses the same ones (intervals and
longitudinal links survive; the real dates do not). The export is audited
(``research_exported``) together with the new keys.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from random import Random

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.errors import PermissionDenied
from mdma_at.domain.staff import Principal
from mdma_at.services.audit import guard, record
from mdma_at.services.exports.redaction import visible_arm
from mdma_at.services.exports.trial_records import PatientRecord, Trial, patient_record
from mdma_at.services.ports import Clock, ResearchKey, UnitOfWork

#: The largest date shift, in days either way. Site default (ADR 0185): no regulation sets it;
#: a year hides the season and weekday of every event while keeping dates plausible.
MAX_DAY_SHIFT = 365
#: Research pseudonyms: "R" and 7 characters without look-alikes (31^7 ≈ 2.8·10^10 codes).
PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PSEUDONYM_LENGTH = 7
#: Every patient of a site: the search's own default limit is for the patient list page.
ALL_PATIENTS = 10**9


@dataclass(frozen=True, slots=True)
class ResearchExport:
    records: tuple[tuple[PatientRecord, ResearchKey], ...]
    exported_at: datetime


def draw_key(rng: Random) -> tuple[str, int]:
    """A fresh pseudonym and a non-zero day shift in ±`MAX_DAY_SHIFT` (zero would keep the
    patient's real dates)."""
    pseudonym = "R" + "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))
    shift = rng.randint(1, MAX_DAY_SHIFT) * rng.choice((-1, 1))
    return pseudonym, shift


def research_export(
    uow: UnitOfWork, clock: Clock, principal: Principal, rng: Random | None = None
) -> ResearchExport:
    """Every patient's records with their research key, at the user's exporting sites.

    Args:
        rng: where keys are drawn from; the operating system's CSPRNG unless a test passes one.

    Raises:
        PermissionDenied: the user holds `EXPORT_RESEARCH` nowhere (audited).
    """
    draw = rng or secrets.SystemRandom()
    with uow:
        site_ids = sites_for(principal, Action.EXPORT_RESEARCH)
        if not site_ids:
            if principal.site_ids:
                guard(uow, clock, principal, Action.EXPORT_RESEARCH, min(principal.site_ids))
            raise PermissionDenied(f"{principal.username} may not export research data")
        actor = guard(uow, clock, principal, Action.EXPORT_RESEARCH, min(site_ids))
        patients = list(uow.patients.search(site_ids, limit=ALL_PATIENTS))
        keys = {k.patient_id: k for k in uow.research_keys.for_patients([p.id for p in patients])}
        taken = {k.research_id for k in keys.values()}
        new = 0
        for patient in patients:
            if patient.id in keys:
                continue
            pseudonym, shift = draw_key(draw)
            while pseudonym in taken:  # a collision with this set: the unique key would refuse it
                pseudonym, shift = draw_key(draw)
            taken.add(pseudonym)
            keys[patient.id] = uow.research_keys.add(patient.id, pseudonym, shift, clock.now())
            new += 1
        trials = _trials(uow, principal)
        records = []
        for patient in sorted(patients, key=lambda p: keys[p.id].research_id):
            site = uow.sites.get(patient.site_id)
            assert site is not None
            records.append(
                (patient_record(uow, patient, site, trials.get(patient.id)), keys[patient.id])
            )
        record(
            uow, clock, actor, "research_exported", "site", actor.site_id,
            after={"patients": len(records), "new_keys": new},
        )  # fmt: skip
        uow.commit()
        return ResearchExport(tuple(records), clock.now())


def _trials(uow: UnitOfWork, principal: Principal) -> dict[int, Trial]:
    """Each patient's place in a study (the first study they joined), arm cut by `visible_arm`."""
    trials: dict[int, Trial] = {}
    for study in uow.studies.list():
        allocations = {a.participant_id: a for a in uow.studies.allocations(study.id)}
        for participant in uow.studies.participants(study.id):
            if participant.patient_id in trials:
                continue
            allocation = allocations.get(participant.id)
            trials[participant.patient_id] = Trial(
                participant.joined_at,
                allocation.allocated_at if allocation else None,
                visible_arm(principal, study, allocation),
            )
    return trials
