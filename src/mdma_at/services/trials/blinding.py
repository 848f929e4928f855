"""The blinding assessment (issue 16, item 5; ADR 0171).

After each dosing session and at the primary endpoint the participant, each therapist and the rater
guess the participant's arm (active, placebo, don't know) and, for a guess of an arm, how sure they
are. One guess per person per time point; a guess is stored apart from the allocation and never
shown next to it except to the unblinded statistician (`guess_lines`), whose page and command
compute Bang's blinding index from them (`mdma_at.analysis.blinding`).
"""

from __future__ import annotations

from dataclasses import dataclass

from mdma_at.domain.access import Action
from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.domain.patients import Patient
from mdma_at.domain.randomisation.conduct import (
    BlindingGuess,
    Respondent,
    check_guess,
    respondent_key,
)
from mdma_at.domain.randomisation.study import Study
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.schedule.records import VisitStatus
from mdma_at.domain.staff import Principal, Role
from mdma_at.protocols import get_protocol
from mdma_at.services.audit import record
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.trials.studies import get_study, study_actor

#: Guess labels of the arms for the analysis: a study's first arm is its active arm, the second
#: its control (ADR 0171; `create_study` lists MDMA-AT first).
ACTIVE, PLACEBO = "active", "placebo"


def time_points(study: Study) -> tuple[str, ...]:
    """The visit codes at which the blind is assessed: after each dosing session and at the
    primary endpoint (issue 16, item 5), from the study's protocol."""
    schedule = get_protocol(study.protocol).schedule
    kinds = (VisitKind.DOSING, VisitKind.PRIMARY_ENDPOINT)
    return tuple(v.code for v in schedule.visits if v.kind in kinds)


def _respondent_id(principal: Principal, patient: Patient, respondent: Respondent) -> int | None:
    """Who answers: the participant (entered by staff), or the therapist or rater signed in,
    who answers for themselves and must hold that role at the patient's site."""
    held = principal.roles_at(patient.site_id)
    if respondent is Respondent.PARTICIPANT:
        if held <= {Role.RATER}:
            raise InvalidInput("respondent", "a rater records their own guess only")
        return None
    role = Role.THERAPIST if respondent is Respondent.THERAPIST else Role.RATER
    if role not in held:
        raise InvalidInput(
            "respondent",
            f"a {respondent.value}'s guess is recorded by that {respondent.value}, signed in",
        )
    return principal.user_id


def record_guess(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    study_id: int,
    patient_id: int,
    *,
    time_point: str,
    respondent: str,
    guess: str,
    confidence: str = "",
) -> BlindingGuess:
    """Store one person's guess of a randomised participant's arm at a time point.

    Raises:
        NotFound: no such study or patient.
        InvalidInput: ``time_point`` (not one of `time_points`, or its visit not held yet),
            ``respondent``, ``guess``, ``confidence``; nothing stored.
        Conflict: the participant is not randomised in the study, or this person's guess at this
            time point is recorded already (one guess per person per time point).
    """
    with uow:
        study = get_study(uow, study_id)
        patient, actor = load_patient(
            uow, clock, principal, patient_id, Action.RECORD_BLINDING_GUESS
        )
        draft = check_guess(time_point, respondent, guess, confidence, time_points(study))
        who = _respondent_id(principal, patient, draft.respondent)
        participant = uow.studies.participant_of(study.id, patient.id)
        allocated = {a.participant_id for a in uow.studies.allocations(study.id)}
        if participant is None or participant.id not in allocated:
            raise Conflict(f"{patient.study_id} is not randomised in {study.code}: no arm to guess")
        enrolments = uow.enrolments.for_patient(patient.id)
        visit = next(
            (
                v
                for v in (uow.visits.for_enrolment(enrolments[-1].id) if enrolments else ())
                if v.code == draft.time_point
            ),
            None,
        )
        if visit is None or visit.status is not VisitStatus.HELD:
            raise InvalidInput(
                "time_point", f"{draft.time_point} has not been held yet: guess after it"
            )
        key = respondent_key(draft.respondent, who)
        if any(
            g.participant_id == participant.id
            and g.time_point == draft.time_point
            and g.respondent_key == key
            for g in uow.trial_conduct.guesses_of(participant.id)
        ):
            raise Conflict(
                f"this {draft.respondent.value}'s guess at {visit.label} is recorded already: "
                "one guess per person per time point"
            )
        stored = uow.trial_conduct.add_guess(
            BlindingGuess(
                0, study.id, participant.id, draft.time_point, draft.respondent, who,
                draft.guess, draft.confidence, principal.user_id, clock.now(),
            )
        )  # fmt: skip
        # the audit event names who guessed and when, not the guess: the trail stays plain
        record(
            uow, clock, actor, "blinding_guess_recorded", "patient", patient.id,
            after={"study": study.code, "time_point": draft.time_point, "respondent": key},
        )  # fmt: skip
        uow.commit()
    return stored


@dataclass(frozen=True, slots=True)
class GuessLine:
    """A guess beside the participant's true arm (ACTIVE or PLACEBO): unblinded data, for the
    statistician's blinding index only. Reveals the arm (`arm`)."""

    time_point: str
    respondent: str
    subject: str  # the participant's study ID, with the guessing therapist or rater
    arm: str
    guess: str
    certainty: str | None


def guess_lines(
    uow: UnitOfWork, clock: Clock, principal: Principal, study_id: int
) -> tuple[GuessLine, ...]:
    """Every guess of the study beside the true arm, for the unblinded statistician (audited).

    Raises:
        PermissionDenied: any other role (audited).
    """
    with uow:
        study = get_study(uow, study_id)
        actor = study_actor(uow, clock, principal, study, Action.VIEW_ALLOCATION)
        arms = {a.participant_id: a.arm for a in uow.studies.allocations(study.id)}
        participants = {p.id: p.patient_id for p in uow.studies.participants(study.id)}
        active = study.arms[0].code
        lines = []
        for g in uow.trial_conduct.guesses(study.id):
            patient = uow.patients.get(participants[g.participant_id])
            assert patient is not None
            lines.append(
                GuessLine(
                    g.time_point,
                    g.respondent.value,
                    f"{patient.study_id}/{g.respondent_key}",
                    ACTIVE if arms[g.participant_id] == active else PLACEBO,
                    g.guess.value,  # Guess values are the labels ACTIVE, PLACEBO, dont_know
                    g.confidence.value if g.confidence else None,
                )
            )
        record(uow, clock, actor, "blinding_guesses_exported", "study", study.id,
               after={"guesses": len(lines)})  # fmt: skip
        uow.commit()
    return tuple(lines)
