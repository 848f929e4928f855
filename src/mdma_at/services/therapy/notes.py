"""Writing, signing and completing the note of a preparation or integration session.

A note is signed as it is stored and is locked from then on (ADR 0138): the table is append-only
in the database, and a correction is an addendum with its reason. Every write is audited in the
same transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.domain.patients import Patient
from mdma_at.domain.schedule.records import Visit, VisitStatus
from mdma_at.domain.staff import Principal, Role, StaffMember
from mdma_at.domain.therapy_notes import (
    NOTE_KINDS,
    Addendum,
    AddendumDraft,
    NoteDraft,
    TherapyNote,
    check_addendum,
    check_note,
)
from mdma_at.protocols import get_protocol
from mdma_at.services.audit import record
from mdma_at.services.measurement.measures import check_visit
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.records import require_child_of


@dataclass(frozen=True, slots=True)
class NoteSlot:
    """A preparation or integration visit and its note, if written."""

    visit: Visit
    note: TherapyNote | None
    addenda: tuple[Addendum, ...]


@dataclass(frozen=True, slots=True)
class PatientNotes:
    """What the chart shows of the non-drug sessions, and who may be named as present."""

    patient: Patient
    slots: tuple[NoteSlot, ...]
    therapists: tuple[StaffMember, ...]  # the therapists at the patient's site
    may_sign: bool
    names: dict[int, str]  # user ID -> full name, for the notes' signatures and dyads

    def slot(self, visit_id: int) -> NoteSlot | None:
        return next((s for s in self.slots if s.visit.id == visit_id), None)


def write_note(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int, draft: NoteDraft
) -> TherapyNote:
    """A therapist of the dyad writes and signs the note of one of the patient's sessions.

    Raises:
        PermissionDenied: not a therapist at the patient's site (the denial is audited).
        InvalidInput: naming the field (``visit_id``, ``session_on``, ``themes``, ``risks``,
            ``plan``, ``present``, ``duration_minutes``); nothing stored.
        Conflict: the visit already has a signed note (add an addendum), or was cancelled.
    """
    with uow:
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.SIGN_THERAPY_NOTE)
        visit = check_visit(uow, patient, draft.visit_id)
        assert visit is not None
        enrolment = uow.enrolments.get(visit.enrolment_id)
        assert enrolment is not None
        roles = {
            user_id: uow.staff.roles(user_id).get(patient.site_id, frozenset())
            for user_id in draft.present
        }
        checked = check_note(
            draft,
            visit_kind=visit.kind,
            visit_label=visit.label,
            author_id=principal.user_id,
            roles_at_site=roles,
            today=clock.now().date(),
            rules=get_protocol(enrolment.protocol).notes,
        )
        if checked.session_on < enrolment.enrolled_on:
            raise InvalidInput(
                "session_on",
                f"{checked.session_on} is before enrolment on {enrolment.enrolled_on}",
            )
        if uow.therapy_notes.for_visit(visit.id) is not None:
            raise Conflict(f"{visit.label} already has a signed note: add an addendum to it")
        note = uow.therapy_notes.add(patient.id, checked, principal.user_id, clock.now())
        record(
            uow,
            clock,
            actor,
            "therapy_note_signed",
            "therapy_note",
            note.id,
            after={"patient": patient.study_id, "visit": visit.code, **asdict(checked)},
        )
        uow.commit()
    return note


def require_note_of(uow: UnitOfWork, note_id: int, patient_id: int) -> None:
    """A note reached through a patient must be that patient's: else NotFound, like a note that
    does not exist, before anything else is read or checked (ADR 0100)."""
    with uow:
        note = uow.therapy_notes.get(note_id)
    if note is None:
        raise NotFound(f"no therapy note {note_id}")
    require_child_of(note.patient_id, patient_id, "therapy note", note_id)


def add_addendum(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    note_id: int,
    draft: AddendumDraft,
    *,
    patient_id: int | None = None,
) -> Addendum:
    """A therapist adds a signed correction to a locked note, with the reason for it.

    Raises:
        NotFound: no such note (or not one of `patient_id`'s). PermissionDenied: not a
            therapist at the patient's site. InvalidInput: ``reason`` or ``text`` empty.
    """
    with uow:
        note = uow.therapy_notes.get(note_id)
        if note is None:
            raise NotFound(f"no therapy note {note_id}")
        # another patient's note answers like a missing one, before anything else (ADR 0100)
        require_child_of(note.patient_id, patient_id, "therapy note", note_id)
        checked = check_addendum(AddendumDraft(note_id, draft.reason, draft.text))
        patient, actor = load_patient(
            uow,
            clock,
            principal,
            note.patient_id,
            Action.ADD_NOTE_ADDENDUM,
            missing=f"no therapy note {note_id}",
        )
        addendum = uow.therapy_notes.add_addendum(checked, principal.user_id, clock.now())
        record(
            uow,
            clock,
            actor,
            "therapy_note_addendum_signed",
            "therapy_note",
            note.id,
            after={"patient": patient.study_id, "reason": checked.reason, "text": checked.text},
            reason=checked.reason,
        )
        uow.commit()
    return addendum


def patient_notes(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int
) -> PatientNotes:
    """Every preparation and integration visit of the current enrolment, with its note."""
    with uow:
        patient, _ = load_patient(uow, clock, principal, patient_id, Action.VIEW_THERAPY_NOTES)
        enrolments = uow.enrolments.for_patient(patient.id)
        visits = (
            [
                v
                for v in uow.visits.for_enrolment(enrolments[-1].id)
                if v.kind in NOTE_KINDS and v.status is not VisitStatus.CANCELLED
            ]
            if enrolments
            else []
        )
        notes = {n.visit_id: n for n in uow.therapy_notes.for_patient(patient.id)}
        addenda = uow.therapy_notes.addenda([n.id for n in notes.values()])
        staff = uow.staff.list()
        therapists = tuple(
            member
            for member in staff
            if member.active
            and Role.THERAPIST in uow.staff.roles(member.id).get(patient.site_id, frozenset())
        )
    slots = tuple(
        NoteSlot(
            v,
            notes.get(v.id),
            tuple(a for a in addenda if v.id in notes and a.note_id == notes[v.id].id),
        )
        for v in visits
    )
    return PatientNotes(
        patient,
        slots,
        therapists,
        patient.site_id in sites_for(principal, Action.SIGN_THERAPY_NOTE),
        {member.id: member.full_name for member in staff},
    )
