"""What the trial report reads (issue 19, item 3; ADR 0215), gathered through the trial services
as the unblinded statistician.

The report shows arms, so only a reader the study's blind admits may build it: the action is
`VIEW_ALLOCATION` (the statistician, ADR 0161), checked against the study by `study_actor`, and a
denial is audited as every denial is. Every arm still passes through `visible_arm` (the one
redaction layer, ADR 0165), and the guesses come from `guess_lines`, which checks the same action
itself. The records are the export's own (`patient_record`), keyed by the participant's study ID
and undated-shifted: the report stays inside the identified clinic, like the SDTM export.

The screening funnel (the CONSORT flow's first boxes) is counted over the patients screened at
the study's sites under its protocol: counts and criterion names only, no patient leaves here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.eligibility.results import CriterionStatus, Decision
from mdma_at.domain.patients import age_on
from mdma_at.domain.randomisation.study import Arm, Study
from mdma_at.domain.staff import Principal
from mdma_at.services.audit import record
from mdma_at.services.exports.redaction import visible_arm
from mdma_at.services.exports.research import ResearchExport
from mdma_at.services.exports.trial_records import Trial, patient_record
from mdma_at.services.ports import Clock, ResearchKey, UnitOfWork
from mdma_at.services.trials.blinding import GuessLine, guess_lines
from mdma_at.services.trials.studies import get_study, study_actor

#: Every patient of a site (the search's own default limit is for the patient list page).
ALL_PATIENTS = 10**9


@dataclass(frozen=True, slots=True)
class Screened:
    """One patient screened at a study site: the decision that counts and, for an ineligible
    one, the criteria not met (their ids, the `mdma-at screen` contract's)."""

    decision: str
    not_met: tuple[str, ...]
    joined: bool  # joined the study


@dataclass(frozen=True, slots=True)
class Participant:
    """A randomised participant's baseline characteristics for the report's table 1."""

    subject: str  # study ID
    arm: str  # arm code
    age: int  # years, at the first screening (else enrolment)
    sex: str
    withdrawn_on: date | None
    withdrawal_reason: str | None


@dataclass(frozen=True, slots=True)
class TrialRecords:
    """Everything the trial report computes from, as the statistician may read it.

    Attributes:
        arms: the study's arms, active first (`create_study` lists MDMA-AT first; ADR 0171).
        export: the participants' records in the research tables' shape (study ID as the key,
            no date shift), for `mdma_at.interop.research.tables.build`.
        participants: the randomised participants (arm disclosed).
        screened: every patient screened at the study's sites under its protocol.
        guesses: every blinding guess beside the true arm (`guess_lines`).
    """

    study: Study
    arms: tuple[Arm, ...]
    export: ResearchExport
    participants: tuple[Participant, ...]
    screened: tuple[Screened, ...]
    guesses: tuple[GuessLine, ...]
    built_by: str
    built_at: datetime


def trial_records(
    uow: UnitOfWork, clock: Clock, principal: Principal, study_id: int
) -> TrialRecords:
    """The study's records for its report, as `principal` (audited ``trial_report_built``).

    Raises:
        NotFound: no such study.
        PermissionDenied: the principal may not see the study's arms (audited).
    """
    with uow:
        study = get_study(uow, study_id)
        actor = study_actor(uow, clock, principal, study, Action.VIEW_ALLOCATION)
        sites = sites_for(principal, Action.VIEW_ALLOCATION) & frozenset(study.site_ids)
        allocations = {a.participant_id: a for a in uow.studies.allocations(study.id)}
        joined = {p.patient_id for p in uow.studies.participants(study.id)}
        now = clock.now()
        records, participants = [], []
        for participant in uow.studies.participants(study.id):
            patient = uow.patients.get(participant.patient_id)
            allocation = allocations.get(participant.id)
            if patient is None or patient.site_id not in sites or allocation is None:
                continue
            arm = visible_arm(principal, study, allocation)
            assert arm is not None, "VIEW_ALLOCATION at the site admits the study's blind"
            site = uow.sites.get(patient.site_id)
            assert site is not None
            trial = Trial(participant.joined_at, allocation.allocated_at, arm)
            found = patient_record(uow, patient, site, trial)
            # the report stays in the identified clinic: the key is the study ID, no date shift
            records.append((found, ResearchKey(patient.id, patient.study_id, 0, now)))
            first = min(
                [s.screening_date for s in found.screenings]
                + [e.enrolled_on for e in found.enrolments],
                default=now.date(),
            )
            withdrawn = [e for e in found.enrolments if e.withdrawn_on is not None]
            participants.append(
                Participant(
                    patient.study_id, arm.code, age_on(patient.details.date_of_birth, first),
                    patient.details.sex.value,
                    withdrawn[0].withdrawn_on if withdrawn else None,
                    withdrawn[0].withdrawal_reason if withdrawn else None,
                )
            )  # fmt: skip
        screened = []
        for patient in uow.patients.search(sites, limit=ALL_PATIENTS):
            done = [
                s for s in uow.screenings.for_patient(patient.id) if s.protocol == study.protocol
            ]
            if not done:
                continue
            last = max(done, key=lambda s: (s.screening_date, s.id))
            screened.append(Screened(last.final_decision.value, _not_met(last.verdict),
                                     patient.id in joined))  # fmt: skip
        record(
            uow, clock, actor, "trial_report_built", "study", study.id,
            after={"study": study.code, "participants": len(participants)},
        )  # fmt: skip
        uow.commit()
    guesses = guess_lines(uow, clock, principal, study_id)
    return TrialRecords(
        study,
        tuple(study.arms),
        ResearchExport(tuple(records), now),
        tuple(participants),
        tuple(screened),
        guesses,
        principal.username,
        now,
    )


def _not_met(verdict: object) -> tuple[str, ...]:
    """The ids of the criteria a stored verdict says were not met."""
    criteria = verdict.get("criteria", ()) if isinstance(verdict, Mapping) else ()
    return tuple(
        str(c.get("id"))
        for c in criteria
        if isinstance(c, Mapping) and c.get("status") == CriterionStatus.NOT_MET.value
    )


#: Decisions that let a screened patient go on to the study (the rest are exclusions).
ELIGIBLE = frozenset({Decision.ELIGIBLE.value, Decision.ELIGIBLE_AFTER_WASHOUT.value})
