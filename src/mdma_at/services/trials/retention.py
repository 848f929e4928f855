"""Retention by visit (issue 16, item 7; ADR 0172): for each scheduled visit of a study's
randomised participants, how many were expected by now and how many were seen. Counts only, for
everyone who may view the study: no arm, no names."""

from __future__ import annotations

from dataclasses import dataclass

from mdma_at.domain.access import Action
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.schedule.records import VisitStatus
from mdma_at.domain.staff import Principal
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.trials.raters import visit_is_blinded
from mdma_at.services.trials.studies import get_study, study_actor


@dataclass(frozen=True, slots=True)
class VisitRetention:
    code: str
    label: str
    #: randomised participants whose window for the visit has opened (withdrawn ones included:
    #: a participant lost to follow-up is the retention this counts)
    expected: int
    seen: int  # of those, the visit held
    blinded: bool  # rated by the independent rater, blind to arm
    follow_up: bool  # a durability visit after the primary endpoint (ADR 0172)


def retention_by_visit(
    uow: UnitOfWork, clock: Clock, principal: Principal, study_id: int
) -> tuple[VisitRetention, ...]:
    """Per scheduled visit, in protocol order, over the randomised participants at the sites
    where the principal holds a role."""
    today = clock.now().date()
    counts: dict[str, list[int]] = {}
    order: dict[str, tuple[int, str, bool, bool]] = {}
    with uow:
        study = get_study(uow, study_id)
        study_actor(uow, clock, principal, study, Action.VIEW_STUDY)
        allocated = {a.participant_id for a in uow.studies.allocations(study.id)}
        for participant in uow.studies.participants(study.id):
            patient = uow.patients.get(participant.patient_id)
            if participant.id not in allocated or patient is None:
                continue
            if not principal.roles_at(patient.site_id):
                continue
            enrolments = uow.enrolments.for_patient(patient.id)
            if not enrolments:
                continue
            for visit in uow.visits.for_enrolment(enrolments[-1].id):
                order.setdefault(
                    visit.code,
                    (visit.sequence, visit.label, visit_is_blinded(visit),
                     visit.kind is VisitKind.FOLLOW_UP),
                )  # fmt: skip
                tally = counts.setdefault(visit.code, [0, 0])
                if visit.window_start <= today or visit.status is VisitStatus.HELD:
                    tally[0] += 1
                    tally[1] += visit.status is VisitStatus.HELD
    return tuple(
        VisitRetention(
            code, order[code][1], counts[code][0], counts[code][1], order[code][2], order[code][3]
        )
        for code in sorted(order, key=lambda c: order[c][0])
    )
