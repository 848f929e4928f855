"""Demo dosing sessions: one completed (with a supplemental dose after an override of a caution
alert, an adverse event and a discharge that proves recovery) and one in progress today, where
palpitations hold the supplemental dose, recorded through the real use cases. Each session is
supplied from the demo register, and its doses are taken from that dispensing (demo/register.py).

The day's C-SSRS screener is an administration in the patient's record (issue 9, item 6): the
demo enters one through the instruments' use case when the day has none."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from mdma_at.demo import register
from mdma_at.domain.dosing.records import EntryKind
from mdma_at.domain.instruments import InstrumentCode
from mdma_at.domain.staff import Principal
from mdma_at.services.access.auth import load_principal
from mdma_at.services.measurement import measures
from mdma_at.services.ports import Clock, PasswordHasher, UnitOfWorkFactory
from mdma_at.services.sessions.recording import record_entry, start_session

COMPLETED = "DEMO-008"  # its first dosing session, on the day it was held
IN_PROGRESS = "DEMO-005"  # its next dosing session, running now

# The facts of the day; consent, eligibility, washout, the day's C-SSRS and open safety alerts
# are read from the demo's records.
_CHECKLIST = {"fasting_hours": 11, "providers_present": 2, "pregnancy_test": "not_done"}


def _vitals(sbp: float, dbp: float, hr: float, temp: float) -> dict[str, Any]:
    return {"systolic": sbp, "diastolic": dbp, "heart_rate": hr, "temperature_c": temp}


# (minutes after the start, who, kind, fields); "dr" is the physician, "t" a therapist.
_COMPLETED: tuple[tuple[int, str, EntryKind, dict[str, Any]], ...] = (
    (5, "dr", EntryKind.CHECKLIST, _CHECKLIST),
    (9, "t", EntryKind.SUDS, {"value": 35}),
    (10, "t", EntryKind.VITALS, _vitals(122, 78, 70, 36.7)),
    (15, "t", EntryKind.REQUEST_INITIAL, {"mg": 80}),
    (45, "t", EntryKind.VITALS, _vitals(134, 84, 84, 36.9)),
    (75, "t", EntryKind.VITALS, _vitals(148, 92, 96, 37.1)),
    (
        90,
        "t",
        EntryKind.ADVERSE_EVENT,
        {
            "term": "Euphoric mood",
            "category": "positive_effect",
            "severity": "mild",
            "relatedness": "probable",
            "outcome": "resolved",
            "solicited": True,
        },
    ),
    (105, "t", EntryKind.VITALS, _vitals(164, 96, 104, 37.2)),
    (
        106,
        "dr",
        EntryKind.OVERRIDE,
        {"action": "supplemental", "reason": "SBP 164 falling from the peak, patient calm"},
    ),
    (110, "t", EntryKind.VITALS, _vitals(158, 94, 100, 37.2)),
    (112, "t", EntryKind.REQUEST_SUPPLEMENTAL, {"mg": 40}),
    (120, "t", EntryKind.VITALS, _vitals(152, 90, 98, 37.2)),
    (150, "t", EntryKind.VITALS, _vitals(146, 88, 94, 37.1)),
    (180, "t", EntryKind.NOTE, {"text": "Processing childhood memories; asked for a blanket."}),
    (210, "t", EntryKind.VITALS, _vitals(140, 86, 90, 37.0)),
    (270, "t", EntryKind.VITALS, _vitals(132, 82, 84, 36.9)),
    (330, "t", EntryKind.VITALS, _vitals(128, 80, 80, 36.9)),
    (390, "t", EntryKind.VITALS, _vitals(126, 80, 76, 36.8)),
    (450, "t", EntryKind.VITALS, _vitals(124, 78, 74, 36.8)),
    (495, "t", EntryKind.VITALS, _vitals(122, 78, 72, 36.7)),
    (498, "t", EntryKind.SUDS, {"value": 15}),
    (500, "dr", EntryKind.CSSRS, {"risk": "none"}),
    (
        505,
        "dr",
        EntryKind.REQUEST_DISCHARGE,
        {"physician_signoff": True, "escort": True, "overnight_stay": False},
    ),
)

_IN_PROGRESS: tuple[tuple[int, str, EntryKind, dict[str, Any]], ...] = (
    (5, "dr", EntryKind.CHECKLIST, _CHECKLIST),
    (8, "t", EntryKind.SUDS, {"value": 40}),
    (10, "t", EntryKind.VITALS, _vitals(118, 76, 68, 36.6)),
    (12, "t", EntryKind.REQUEST_INITIAL, {"mg": 120}),
    (42, "t", EntryKind.VITALS, _vitals(136, 86, 88, 36.9)),
    (72, "t", EntryKind.VITALS, _vitals(158, 98, 112, 37.3)),
    (102, "t", EntryKind.VITALS, _vitals(166, 102, 118, 37.5)),
    (
        104,
        "t",
        EntryKind.ADVERSE_EVENT,
        {
            "term": "Palpitations",
            "category": "cardiovascular",
            "severity": "mild",
            "relatedness": "probable",
            "outcome": "not_resolved",
            "solicited": True,
        },
    ),
    (106, "t", EntryKind.REQUEST_SUPPLEMENTAL, {"mg": 60}),
    (112, "t", EntryKind.VITALS, _vitals(162, 100, 116, 37.4)),
)


_DOSES = (EntryKind.REQUEST_INITIAL, EntryKind.REQUEST_SUPPLEMENTAL)


def seed_demo_sessions(
    uow: UnitOfWorkFactory, clock: Clock, site_id: int, hasher: PasswordHasher, password: str
) -> None:
    """Record the two demo sessions and the register behind them (the demo clinic's patients
    and staff must exist; `password` is the witness's, for the witnessed waste)."""
    with uow() as work:
        people = {}
        for key, username in (("dr", "dr.ng"), ("t", "t.alvarez")):
            found = work.staff.by_username(username)
            assert found is not None
            people[key] = load_principal(work, found[0].id)
        patients = {s: work.patients.by_study_id(s) for s in (COMPLETED, IN_PROGRESS)}
        visits = {}
        for study_id, patient in patients.items():
            assert patient is not None and patient.site_id == site_id
            enrolment = work.enrolments.for_patient(patient.id)[-1]
            dosing = [v for v in work.visits.for_enrolment(enrolment.id) if v.dosing_number]
            visits[study_id] = dosing
    now = clock.now()
    plan = []
    done = next((v for v in visits[COMPLETED] if v.held_on is not None), None)
    if done is not None and done.held_on is not None:
        start = datetime.combine(done.held_on, time(8, 0), tzinfo=UTC)
        if start + timedelta(minutes=_COMPLETED[-1][0]) <= now:
            plan.append((done.id, start, _COMPLETED))
    running = next((v for v in visits[IN_PROGRESS] if v.held_on is None), None)
    if running is not None:
        start = now.replace(second=0, microsecond=0) - timedelta(minutes=_IN_PROGRESS[-1][0] + 3)
        plan.append((running.id, start, _IN_PROGRESS))
    if not plan:
        return
    # The kits arrive the day before the first demo session.
    stock = register.receive_demo_stock(
        uow, clock, site_id, min(start for _, start, _ in plan) - timedelta(days=1)
    )
    for visit_id, start, script in plan:
        session_id, dispensing_id = _run(
            uow, clock, people, visit_id, start, script, stock, childbearing=False
        )
        if script is _COMPLETED:
            end = start + timedelta(minutes=script[-1][0] + 5)
            register.waste_and_reconcile(
                uow, clock, hasher, stock, session_id, dispensing_id, end, password
            )


def _run(
    uow: UnitOfWorkFactory,
    clock: Clock,
    people: dict[str, Principal],
    visit_id: int,
    start: datetime,
    script: tuple[tuple[int, str, EntryKind, dict[str, Any]], ...],
    stock: register.DemoRegister,
    *,
    childbearing: bool,
) -> tuple[int, int]:
    """Record the session from its script; returns its id and the dispensing it was given."""
    _screener_on_the_day(uow, clock, people["t"], visit_id, start)
    session = start_session(
        uow(),
        clock,
        people["t"],
        visit_id,
        started_at=start.isoformat(),
        childbearing_potential=childbearing,
        weight_kg=68,
        present=[
            (people["t"].full_name, "therapist"),
            ("Chidi Okafor", "therapist"),
            (people["dr"].full_name, "physician"),
        ],
    )
    doses = tuple(fields["mg"] for _, _, kind, fields in script if kind in _DOSES)
    dispensing_id = register.dispense(uow, clock, stock, session.id, doses, start)
    for minutes, who, kind, fields in script:
        at = start + timedelta(minutes=minutes)
        if kind in _DOSES:  # taken from the session's dispensing, in 20 mg capsules
            kit = {"dispensing_id": dispensing_id, "kit_quantity": register.capsules(fields["mg"])}
            fields = {**fields, **kit}
        record_entry(uow(), clock, people[who], session.id, kind, fields, at.isoformat())
    return session.id, dispensing_id


def _screener_on_the_day(
    uow: UnitOfWorkFactory, clock: Clock, staff: Principal, visit_id: int, start: datetime
) -> None:
    """A C-SSRS screener with no risk on the session day, unless the record already has one."""
    with uow() as work:
        visit = work.visits.get(visit_id)
        enrolment = work.enrolments.get(visit.enrolment_id) if visit else None
        assert enrolment is not None
        patient_id = enrolment.patient_id
        done = any(
            a.instrument == InstrumentCode.CSSRS_SCREEN.value and a.completed_on == start.date()
            for a in work.administrations.for_patient(patient_id)
        )
    if not done:
        measures.record_clinician_instrument(
            uow(),
            clock,
            staff,
            patient_id,
            InstrumentCode.CSSRS_SCREEN.value,
            ["no"] * 7,
            completed_on=start.date(),
        )
