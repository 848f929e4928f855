"""The study dashboard's counts (issue 19, item 6; ADR 0215): enrolment, open alerts of the
study's participants and the register's kits by state, beside retention by visit
(`retention.py`). Blind-safe by construction: counts and states only, never an arm or a kit's
contents, so every role that may view the study may see all of it; the register part only for
readers who may view the site's stock. The split of the stock by contents stays on the
pharmacist's register page (`kit_blind`, ADR 0110): no role that may view a study is admitted by
that blind, so no state here is ever split by contents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.accountability.views import stock_lines
from mdma_at.domain.staff import Principal
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.register.ledger import load_books
from mdma_at.services.trials.studies import get_study, study_actor


@dataclass(frozen=True, slots=True)
class OpenAlert:
    study_id: str  # the participant's study ID
    level: str
    reason: str
    raised_at: datetime


@dataclass(frozen=True, slots=True)
class StudyDashboard:
    target: int
    joined: int
    randomised: int
    open_alerts: tuple[OpenAlert, ...]
    #: kits at the study's sites by state ("in stock", "empty", "expired"); None: the reader may
    #: not view the register there
    kits: dict[str, int] | None


def study_dashboard(
    uow: UnitOfWork, clock: Clock, principal: Principal, study_id: int
) -> StudyDashboard:
    """The dashboard over the study's participants at the sites where the principal holds a role.

    Raises:
        NotFound: no such study. PermissionDenied: the principal may not view it (audited).
    """
    today = clock.now().date()
    with uow:
        study = get_study(uow, study_id)
        study_actor(uow, clock, principal, study, Action.VIEW_STUDY)
        sites = frozenset(s for s in study.site_ids if principal.roles_at(s))
        allocated = {a.participant_id for a in uow.studies.allocations(study.id)}
        mine = {}
        randomised = 0
        for participant in uow.studies.participants(study.id):
            patient = uow.patients.get(participant.patient_id)
            if patient is None or patient.site_id not in sites:
                continue
            mine[patient.id] = patient.study_id
            randomised += participant.id in allocated
        alerts = tuple(
            OpenAlert(mine[p.id], a.level, a.reason, a.raised_at)
            for p, a in uow.safety_alerts.open_at(sites)
            if p.id in mine
        )
        stock_sites = sites_for(principal, Action.VIEW_STOCK) & sites
        kits: dict[str, int] | None = None
        if stock_sites:
            kits = {"in stock": 0, "empty": 0, "expired": 0}
            for line in stock_lines(load_books(uow), stock_sites):
                state = (
                    "empty"
                    if line.balance <= 0
                    else "expired"
                    if line.expiry < today
                    else "in stock"
                )
                kits[state] += 1
    return StudyDashboard(study.target_size, len(mine), randomised, alerts, kits)
