"""Setting up a study, sealing its schedule, and who may join it.

A patient joins a study only with a physician-signed eligible verdict and current consent: the
same gate as the first dosing session (`services.screening.workup.first_dosing_check`), less its
date rules (a washout still running does not stop a patient joining or being randomised). A
refusal is a decision: it is audited, and nothing else is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NoReturn

from mdma_at.domain.access import Action, authorize
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from mdma_at.domain.patients import Patient
from mdma_at.domain.randomisation import P_BEST, Method
from mdma_at.domain.randomisation.study import (
    FACTORS,
    Arm,
    Participant,
    Study,
    caps5_band,
    check_design,
    seed_commitment,
)
from mdma_at.domain.screening.gate import DATE_REASONS
from mdma_at.domain.staff import Principal, Role
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol
from mdma_at.protocols.mapp_v1.trial import CAPS5_SEVERE_FROM
from mdma_at.services.audit import Actor, guard, record
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, ScheduleSeal, UnitOfWork
from mdma_at.services.screening.workup import first_dosing_check

#: The shortest seed accepted: 128 bits of a random hex string, so it cannot be guessed from the
#: commitment by trying candidates (site default, NIST SP 800-90A security strength 128).
MIN_SEED_LENGTH = 32


def study_actor(
    uow: UnitOfWork, clock: Clock, principal: Principal, study: Study, action: Action
) -> Actor:
    """Authorise `action` on a study: granted by a role held at any of the study's sites (the
    denial is audited against the study)."""
    for site_id in study.site_ids:
        try:
            role = authorize(principal, action, site_id)
        except PermissionDenied:
            continue
        return Actor(principal.user_id, principal.username, role.value, site_id)
    guard(uow, clock, principal, action, study.site_ids[0], ("study", study.id))
    raise AssertionError("unreachable: guard raised")  # pragma: no cover


def get_study(uow: UnitOfWork, study_id: int) -> Study:
    study = uow.studies.get(study_id)
    if study is None:
        raise NotFound(f"no study {study_id}")
    return study


def create_study(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    *,
    code: str,
    title: str,
    site_ids: Sequence[int],
    designated_physician: str,
    target_size: int,
    arms: Sequence[Arm] = (Arm("mdma", "MDMA-AT"), Arm("placebo", "Placebo with therapy")),
    method: Method = Method.BLOCKS,
    block_sizes: Sequence[int] = (2, 4),
    factors: Sequence[str] = FACTORS,
    p_best: float = P_BEST,
    protocol: str = DEFAULT_PROTOCOL,
) -> Study:
    """Set a study up at its sites, with the physician who may approve an emergency unblinding.

    Raises:
        InvalidInput: the design (`check_design`), ``site_ids``, ``designated_physician`` (not a
            physician at one of the study's sites) or ``protocol``.
        Conflict: the code is taken.
    """
    check_design(code, title, arms, target_size, method, block_sizes, factors, p_best)
    get_protocol(protocol)
    if not site_ids:
        raise InvalidInput("site_ids", "a study runs at one site at least")
    with uow:
        actors = [guard(uow, clock, principal, Action.MANAGE_STUDY, s) for s in site_ids]
        for site_id in site_ids:
            if uow.sites.get(site_id) is None:
                raise InvalidInput("site_ids", f"no site {site_id}")
        found = uow.staff.by_username(designated_physician)
        if found is None or not any(
            Role.PHYSICIAN in roles
            for site, roles in uow.staff.roles(found[0].id).items()
            if site in site_ids
        ):
            raise InvalidInput(
                "designated_physician",
                f"{designated_physician!r} is not a physician at one of the study's sites",
            )
        if uow.studies.by_code(code.strip()) is not None:
            raise Conflict(f"a study {code.strip()} exists already")
        study = uow.studies.add(
            Study(
                0,
                code.strip(),
                title.strip(),
                protocol,
                tuple(arms),
                tuple(sorted(set(site_ids))),
                target_size,
                method,
                tuple(block_sizes),
                tuple(factors),
                p_best,
                found[0].id,
                None,
                clock.now(),
            ),
            principal.user_id,
        )
        record(
            uow,
            clock,
            actors[0],
            "study_created",
            "study",
            study.id,
            after={
                "code": study.code,
                "arms": [a.code for a in study.arms],
                "sites": list(study.site_ids),
                "target_size": target_size,
                "method": method,
                "block_sizes": list(block_sizes),
                "factors": list(factors),
                "p_best": p_best,
                "designated_physician": designated_physician,
            },
        )
        uow.commit()
    return study


def seal_schedule(
    uow: UnitOfWork,
    clock: Clock,
    seal: ScheduleSeal,
    principal: Principal,
    study_id: int,
    seed: str,
) -> Study:
    """The unblinded statistician hands over the seed that is the schedule; it is stored sealed
    with a commitment (ADR 0160), never shown again, and set once.

    Raises:
        InvalidInput: ``seed`` shorter than `MIN_SEED_LENGTH`.
        Conflict: the schedule is sealed already.
    """
    with uow:
        study = get_study(uow, study_id)
        actor = study_actor(uow, clock, principal, study, Action.SEAL_SCHEDULE)
        if len(seed.strip()) < MIN_SEED_LENGTH:
            raise InvalidInput(
                "seed", f"at least {MIN_SEED_LENGTH} characters (e.g. 32 random hex digits)"
            )
        if study.sealed:
            raise Conflict(f"the schedule of {study.code} is sealed already; it never changes")
        commitment = seed_commitment(study.code, seed.strip())
        uow.studies.seal(study.id, seal.seal(seed.strip()), commitment)
        record(
            uow, clock, actor, "schedule_sealed", "study", study.id,
            after={"seed_commitment": commitment},
        )  # fmt: skip
        uow.commit()
        return get_study(uow, study.id)


def entry_refusals(uow: UnitOfWork, patient_id: int, today: date) -> list[str]:
    """Why the patient may not join or be randomised today (empty: may): the first-dosing gate's
    eligibility and consent reasons, without its date rules."""
    gate = first_dosing_check(uow, patient_id, today)
    return [message for code, message in gate.refusals if code not in DATE_REASONS]


def refuse(
    uow: UnitOfWork, clock: Clock, actor: Actor, action: str, entity: tuple[str, object],
    reasons: Sequence[str], after: object = None,
) -> NoReturn:  # fmt: skip
    """Record a refused clinical rule (a decision) and commit only that, then raise Conflict."""
    uow.rollback()
    record(uow, clock, actor, action, entity[0], entity[1], after=after, reason="; ".join(reasons))
    uow.commit()
    raise Conflict("; ".join(reasons))


def _levels(uow: UnitOfWork, study: Study, patient: Patient) -> dict[str, str]:
    levels: dict[str, str] = {}
    if "site" in study.factors:
        site = uow.sites.get(patient.site_id)
        levels["site"] = site.code if site else str(patient.site_id)
    if "caps5_band" in study.factors:
        latest = uow.screenings.latest(patient.id)
        ptsd = latest.intake.get("ptsd") if latest else None
        total = ptsd.get("caps5_total") if isinstance(ptsd, dict) else None
        levels["caps5_band"] = caps5_band(
            total if isinstance(total, int) else None, CAPS5_SEVERE_FROM
        )
    return levels


def join_study(
    uow: UnitOfWork, clock: Clock, principal: Principal, study_id: int, patient_id: int
) -> Participant:
    """Enrol a patient of one of the study's sites as a participant, with their stratum levels.

    Raises:
        NotFound: no such study or patient.
        Conflict: ineligible or unconsented (audited), already a participant, not at a study
            site, or the study full.
    """
    with uow:
        study = get_study(uow, study_id)
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.ENROL_IN_STUDY)
        entity = ("patient", patient.id)
        reasons = entry_refusals(uow, patient.id, clock.now().date())
        if patient.site_id not in study.site_ids:
            reasons.append(f"{patient.study_id}'s site is not one of {study.code}'s sites")
        if uow.studies.participant_of(study.id, patient.id) is not None:
            reasons.append(f"{patient.study_id} is a participant of {study.code} already")
        if len(uow.studies.participants(study.id)) >= study.target_size:
            reasons.append(f"{study.code} has reached its target of {study.target_size}")
        if reasons:
            refuse(uow, clock, actor, "study_entry_refused", entity, reasons, {"study": study.code})
        participant = uow.studies.add_participant(
            study.id, patient.id, _levels(uow, study, patient), principal.user_id, clock.now()
        )
        record(
            uow, clock, actor, "study_joined", "patient", patient.id,
            after={"study": study.code, "participant": participant.id,
                   "levels": dict(participant.levels)},
        )  # fmt: skip
        uow.commit()
    return participant
