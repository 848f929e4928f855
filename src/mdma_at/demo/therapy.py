"""Demo session notes and check-ins (issue 14, items 4-5), recorded through the real use cases.

Every held preparation session of an enrolled demo patient gets a note signed by Sam Alvarez with
Chidi Okafor (the demo's dyad); the first one takes an addendum (a correction is never an
edit). The completed demo dosing session (DEMO-008's first) gets its
daily check-ins, with day 4 left unrecorded so the chart shows a missed contact, and a mild
headache reported on day 2. No check-in needs a C-SSRS screener, so the demo's safety-alert queue
stays as `demo/instruments.py` leaves it.
"""

from __future__ import annotations

from datetime import timedelta

from mdma_at.demo.sessions import COMPLETED
from mdma_at.domain.adverse_events import AeSeverity
from mdma_at.domain.check_ins import CheckInDraft, ContactMode
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.schedule.records import EnrolmentStatus
from mdma_at.domain.staff import Principal
from mdma_at.domain.therapy_notes import AddendumDraft, NoteDraft
from mdma_at.services.access.auth import load_principal
from mdma_at.services.ports import Clock, UnitOfWorkFactory
from mdma_at.services.therapy import check_ins, notes

_PREPARATION = {
    1: (
        "Getting to know each other; the patient's hopes for the programme; what the dosing day "
        "looks like (music, eyeshades, the inner healing intelligence)",
        "None noticed",
        "Practise the breathing exercise daily; bring a list of supports to the next session",
    ),
    2: (
        "The trauma narrative in outline, at the patient's pace; body sensations while telling it",
        "Sleep poor for a week before the session; no thoughts of self-harm",
        "Grounding techniques for the nights; review sleep at the next session",
    ),
    3: (
        "Intentions for the first dosing session; agreements (touch, staying overnight, safety)",
        "None noticed",
        "Confirm fasting and the adult escort for the dosing day",
    ),
}

# day, mode, SUDS, hours slept, adverse event reported (term, severity) — DEMO-008's check-ins
_CHECK_INS: tuple[tuple[int, ContactMode, int, float, tuple[str, AeSeverity] | None], ...] = (
    (1, ContactMode.IN_PERSON, 35, 5.5, None),
    (2, ContactMode.PHONE, 30, 6.0, ("Headache", AeSeverity.MILD)),
    (3, ContactMode.PHONE, 25, 7.0, None),
    (5, ContactMode.VIDEO, 20, 7.5, None),
    (6, ContactMode.PHONE, 20, 7.0, None),
    (7, ContactMode.PHONE, 15, 8.0, None),
)


def seed_demo_therapy(uow: UnitOfWorkFactory, clock: Clock) -> None:
    """Record the demo's notes and check-ins (the demo patients, staff and sessions must exist)."""
    lead, partner = _principal(uow, "t.alvarez"), _principal(uow, "t.okafor")
    with uow() as work:
        enrolments = [
            e
            for p in work.patients.search(lead.site_ids)
            for e in work.enrolments.for_patient(p.id)[-1:]
            if e.status is EnrolmentStatus.ACTIVE
        ]
        held = [
            (e.patient_id, v)
            for e in enrolments
            for v in work.visits.for_enrolment(e.id)
            if v.kind is VisitKind.PREPARATION and v.held_on is not None
        ]
        completed = work.patients.by_study_id(COMPLETED)
        sessions = work.dosing_sessions.for_patient(completed.id) if completed else []
    first = None
    for patient_id, visit in held:
        themes, risks, plan = _PREPARATION[visit.sequence if visit.sequence in _PREPARATION else 1]
        assert visit.held_on is not None
        note = notes.write_note(
            uow(),
            clock,
            lead,
            patient_id,
            NoteDraft(
                visit.id,
                visit.held_on,
                themes,
                risks,
                plan,
                (lead.user_id, partner.user_id),
                90,
            ),
        )
        first = first or note
    if first is not None:
        notes.add_addendum(
            uow(),
            clock,
            lead,
            first.id,
            AddendumDraft(
                first.id,
                "Completed after the supervision meeting",
                "The patient also named a sibling as a support for the dosing day.",
            ),
        )
    done = next((s for s in sessions if s.closed), None)
    if completed is None or done is None:
        return
    for day, mode, suds, sleep, event in _CHECK_INS:
        on = done.started_at.date() + timedelta(days=day)
        if on > clock.now().date():
            break
        term, severity = event or ("", None)
        check_ins.record_check_in(
            uow(),
            clock,
            lead,
            completed.id,
            CheckInDraft(on, mode, suds, sleep, False, term, severity),
        )


def _principal(uow: UnitOfWorkFactory, username: str) -> Principal:
    with uow() as work:
        found = work.staff.by_username(username)
        assert found is not None
        return load_principal(work, found[0].id)
