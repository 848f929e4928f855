"""Independent raters (issue 16, item 4; ADR 0170).

A participant's CAPS-5 at a visit is assigned to a rater who is not on their therapy team: no one
who ran or recorded in any of their dosing sessions, and no therapist who signed or sat in one of
their preparation or integration sessions. Those people have seen how the drug acted, which is
what the blind hides. Assigning a team member is refused with the reason and audited. Once a
participant is in a study, a CAPS-5 at a blinded visit is accepted only from the rater assigned
to that visit; without an assignment no one may enter it (the site's choice of "none", ADR 0170).

Nothing here reads or returns an arm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mdma_at.domain.access import Action
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.domain.patients import Patient
from mdma_at.domain.randomisation.conduct import RatingAssignment
from mdma_at.domain.randomisation.study import Participant, Study
from mdma_at.domain.schedule.records import Visit, VisitStatus
from mdma_at.domain.staff import Principal, Role
from mdma_at.protocols.mapp_v1.trial import FOLLOW_UP_BLINDED
from mdma_at.services.audit import record
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.trials.studies import get_study, refuse

#: The instrument an independent rater rates (DESIGN.md section 1: the rater scores CAPS-5).
RATED_INSTRUMENT = "caps5"


def therapy_team(uow: UnitOfWork, patient_id: int) -> dict[int, str]:
    """The patient's therapy team: user ID -> why they are on it (for the refusal)."""
    team: dict[int, str] = {}
    for session in uow.dosing_sessions.for_patient(patient_id):
        label = f"dosing session {session.session_number}"
        if session.started_by is not None:
            team.setdefault(session.started_by, f"started {label}")
        for entry in uow.session_entries.for_session(session.id):
            if entry.recorded_by is not None:
                team.setdefault(entry.recorded_by, f"recorded in {label}")
    for note in uow.therapy_notes.for_patient(patient_id):
        team.setdefault(note.signed_by, f"signed the note of {note.session_on}")
        for therapist in note.present:
            team.setdefault(therapist, f"was in the room on {note.session_on}")
    return team


def study_of(uow: UnitOfWork, patient_id: int) -> tuple[Study, Participant] | None:
    """The study the patient takes part in, if any (a patient is in one study at a time)."""
    for study in uow.studies.list():
        participant = uow.studies.participant_of(study.id, patient_id)
        if participant is not None:
            return study, participant
    return None


def visit_is_blinded(visit: Visit) -> bool:
    """Every visit of a participant is rated blind, a follow-up visit unless the protocol ends
    the blind before it (`FOLLOW_UP_BLINDED`, ADR 0172)."""
    return FOLLOW_UP_BLINDED.get(visit.code, True)


def rating_refusal(
    uow: UnitOfWork, user_id: int, patient_id: int, instrument: str, visit: Visit | None
) -> str | None:
    """Why `user_id` may not enter this CAPS-5 of a study participant (None: may).

    Called by the measurement room before it stores a clinician-rated instrument.
    """
    if instrument != RATED_INSTRUMENT or study_of(uow, patient_id) is None:
        return None
    if visit is None:
        return "a study participant's CAPS-5 is rated at a visit, by the rater assigned to it"
    if not visit_is_blinded(visit):
        return None
    assignment = uow.trial_conduct.assignment_for_visit(visit.id)
    if assignment is None:
        return f"no independent rater is assigned to {visit.label} yet: the coordinator assigns one"
    if assignment.rater_id != user_id:
        return f"{visit.label} is assigned to another independent rater"
    return None


def _patient_visit(uow: UnitOfWork, patient: Patient, visit_id: int) -> Visit:
    visit = uow.visits.get(visit_id)
    enrolment = uow.enrolments.get(visit.enrolment_id) if visit else None
    if visit is None or enrolment is None or enrolment.patient_id != patient.id:
        raise InvalidInput("visit_id", f"visit {visit_id} is not one of this patient's visits")
    if visit.status is VisitStatus.CANCELLED:
        raise InvalidInput("visit_id", f"{visit.label} was cancelled")
    return visit


def assign_rater_at(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    study_id: int,
    patient_id: int,
    visit_code: str,
    rater: str,
) -> RatingAssignment:
    """`assign_rater` for the visit named by its protocol code (the study page's form).

    Raises:
        InvalidInput: ``visit`` not a visit of the patient's current schedule; as `assign_rater`.
    """
    with uow:
        enrolments = uow.enrolments.for_patient(patient_id)
        visits = uow.visits.for_enrolment(enrolments[-1].id) if enrolments else ()
        visit_id = next((v.id for v in visits if v.code == visit_code.strip()), None)
    if visit_id is None:
        raise InvalidInput("visit", f"{visit_code.strip()!r} is not a visit of the participant")
    return assign_rater(uow, clock, principal, study_id, patient_id, visit_id, rater)


#: The visits whose CAPS-5 the study page offers to assign (the protocol's assessments).
RATED_VISIT_KINDS = ("assessment", "primary_endpoint", "follow_up")


def assign_rater(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    study_id: int,
    patient_id: int,
    visit_id: int,
    rater: str,
) -> RatingAssignment:
    """Assign the CAPS-5 of a participant's visit to a rater (a username).

    Raises:
        NotFound: no such study or patient.
        InvalidInput: ``visit_id`` not the patient's, or ``rater`` not a rater at the patient's
            site; nothing stored.
        Conflict: not a participant of the study, or the rater is on the patient's therapy team
            (audited as `rater_assignment_refused` with the reason; nothing else stored).
    """
    with uow:
        study = get_study(uow, study_id)
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.ASSIGN_RATER)
        participant = uow.studies.participant_of(study.id, patient.id)
        if participant is None:
            raise Conflict(f"{patient.study_id} is not a participant of {study.code}")
        visit = _patient_visit(uow, patient, visit_id)
        found = uow.staff.by_username(rater.strip())
        if found is None or Role.RATER not in uow.staff.roles(found[0].id).get(
            patient.site_id, frozenset()
        ):
            raise InvalidInput("rater", f"{rater.strip()!r} is not a rater at the patient's site")
        member = found[0]
        why = therapy_team(uow, patient.id).get(member.id)
        if why is not None:
            refuse(
                uow, clock, actor, "rater_assignment_refused", ("patient", patient.id),
                [f"{member.username} is on {patient.study_id}'s therapy team ({why}): "
                 "an independent rater must not be"],
                {"study": study.code, "visit": visit.code, "rater": member.username},
            )  # fmt: skip
        assignment = uow.trial_conduct.add_assignment(
            RatingAssignment(
                0, study.id, participant.id, patient.id, visit.id, member.id,
                principal.user_id, clock.now(),
            )
        )  # fmt: skip
        record(
            uow, clock, actor, "rater_assigned", "patient", patient.id,
            after={"study": study.code, "visit": visit.code, "rater": member.username},
        )  # fmt: skip
        uow.commit()
    return assignment


@dataclass(frozen=True, slots=True)
class AssignedRating:
    """One line of the rater's assignments: the study ID and the visit, nothing else."""

    study: int  # the study's number, for the guess form
    patient_id: int
    study_id: str
    visit_id: int
    visit_label: str
    window_start: date
    window_end: date
    rated: bool


def my_assignments(uow: UnitOfWork, principal: Principal) -> tuple[AssignedRating, ...]:
    """The CAPS-5 ratings assigned to the principal, open ones first, by the visit's window."""
    rows = []
    with uow:
        for assignment in uow.trial_conduct.assignments_of(principal.user_id):
            patient = uow.patients.get(assignment.patient_id)
            visit = uow.visits.get(assignment.visit_id)
            if patient is None or visit is None or visit.status is VisitStatus.CANCELLED:
                continue
            if not principal.roles_at(patient.site_id):
                continue
            rated = any(
                a.visit_id == visit.id and a.instrument == RATED_INSTRUMENT
                for a in uow.administrations.for_patient(patient.id)
            )
            rows.append(
                AssignedRating(
                    assignment.study_id, patient.id, patient.study_id, visit.id, visit.label,
                    visit.window_start, visit.window_end, rated,
                )
            )  # fmt: skip
    return tuple(sorted(rows, key=lambda r: (r.rated, r.window_start, r.study_id)))


def assigned_visits(uow: UnitOfWork, user_id: int, patient_id: int) -> frozenset[int]:
    """The visits of the patient whose CAPS-5 is assigned to `user_id` (the rating form's)."""
    return frozenset(
        a.visit_id for a in uow.trial_conduct.assignments_of(user_id) if a.patient_id == patient_id
    )


def assignments_view(
    uow: UnitOfWork, study: Study, patient_ids: frozenset[int]
) -> dict[int, list[tuple[str, str]]]:
    """For the study page: patient ID -> [(visit label, rater username)] of current assignments."""
    latest: dict[int, RatingAssignment] = {}
    for assignment in uow.trial_conduct.assignments(study.id):
        latest[assignment.visit_id] = assignment
    out: dict[int, list[tuple[str, str]]] = {}
    for assignment in latest.values():
        if assignment.patient_id not in patient_ids:
            continue
        visit = uow.visits.get(assignment.visit_id)
        rater = uow.staff.get(assignment.rater_id)
        if visit is None or rater is None:
            raise NotFound(f"assignment {assignment.id} names a missing visit or rater")
        out.setdefault(assignment.patient_id, []).append((visit.label, rater.username))
    return out
