"""One candidate's way through the trial, step by step through the use cases.

`journey` is a generator: it yields the simulated time of its next step, and the event loop
(`trial_run`) sets the clock to that time and resumes it, so candidates' steps interleave in
time as at a real site and every audit event carries its simulated time. Each step is what a
staff member does, with that staff member's permissions:

- the coordinator registers and screens the candidate (a screen failure: QTc above the limit;
  some take an SSRI and wait for its washout), the physician signs the verdict, the candidate
  signs consent with a therapist as witness;
- a week later the coordinator enrols them on the protocol, joins them to the study and
  randomises them (the sealed schedule decides the arm); the blinded central rater is assigned
  every CAPS-5 visit;
- every visit on its planned day: preparation and integration sessions held; self-reports
  (PHQ-9, GAD-7, PCL-5) through a link at preparation and assessment visits; the C-SSRS screener
  by a therapist; the CAPS-5 by the rater; the dosing sessions (`dosing_session`) with doses
  dispensed from the site's register and administered from the session;
- blinding guesses by the participant, the lead therapist and (at the endpoint) the rater;
- a non-completer withdraws after their drawn visit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

import numpy as np

from mdma_at.demo import register
from mdma_at.demo.instruments import answers_for_total
from mdma_at.demo.screening import screening_intake
from mdma_at.domain.accountability import Contents, Unit
from mdma_at.domain.dosing.decisions import Liftable
from mdma_at.domain.dosing.records import EntryKind
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments import InstrumentCode
from mdma_at.domain.patients import PatientDetails
from mdma_at.domain.pk.model import Dose, concentration_curve
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.schedule.records import Visit, VisitStatus
from mdma_at.domain.screening import ConsentDocument
from mdma_at.domain.staff import Principal
from mdma_at.domain.vitals import plausibility
from mdma_at.domain.vocabulary import Sex
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol
from mdma_at.services.measurement import measures, self_report
from mdma_at.services.patients import consent, schedule
from mdma_at.services.patients.registry import register_patient
from mdma_at.services.ports import ScheduleSeal, UnitOfWorkFactory
from mdma_at.services.register import ledger
from mdma_at.services.screening import concomitant
from mdma_at.services.screening import workup as screening
from mdma_at.services.sessions.recording import record_entry, start_session
from mdma_at.services.trials import blinding, randomise, raters, studies
from mdma_at.simulation.calibration import Calibration
from mdma_at.simulation.clinic import SiteTeam, TrialClinic
from mdma_at.simulation.cohort import Candidate

_RATED = (VisitKind.ASSESSMENT, VisitKind.PRIMARY_ENDPOINT, VisitKind.FOLLOW_UP)
_SELF_REPORTED = (VisitKind.PREPARATION, *_RATED)
_CSSRS_VISITS = _RATED  # and every dosing day (its gate needs one)
#: self-report totals from the CAPS-5 total (simulation default: proportional, clipped)
_SELF_REPORT_SCALE = {InstrumentCode.PCL5: 1.3, InstrumentCode.PHQ9: 0.4, InstrumentCode.GAD7: 0.32}
_SUPPLEMENTAL_AFTER = timedelta(minutes=100)  # inside the protocol's 90-150 min window
_MAX_WAITS = 32  # half-hour waits for discharge: 16 h, past any plausible recovery
_GUESS_CONFIDENCE = ("somewhat", "strong")
#: the vital signs simulated, with their calibration keys (vitals.pre_dose.*, vitals.spread.*)
_VITALS = ("systolic", "diastolic", "heart_rate", "temperature_c")


@dataclass
class SimClock:
    """The services' clock, set by the event loop to the simulated time of each step."""

    at: datetime

    def now(self) -> datetime:
        return self.at


@dataclass
class Outcome:
    """What became of one candidate (for the run's counts)."""

    patient_id: int | None = None
    screened: bool = False
    randomised: bool = False
    completed: bool = False
    arm: str | None = None


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


def journey(
    uow: UnitOfWorkFactory,
    clock: SimClock,
    clinic: TrialClinic,
    cal: Calibration,
    candidate: Candidate,
    seal: ScheduleSeal,
    document: ConsentDocument,
    arms: dict[int, str],
    outcome: Outcome,
) -> Iterator[datetime]:
    """The candidate's steps (see the module docstring); `arms` is the unblinded pharmacy's view
    of the allocations (participant id -> arm code), read after each randomisation."""
    team = clinic.sites[candidate.site]
    rng = np.random.default_rng(candidate.seed)
    day = candidate.arrives_on
    yield _at(day, 9)
    study_id = f"{team.code}-{candidate.number + 1:04d}"
    details = PatientDetails(
        study_id, f"Participant {study_id}", candidate.born,
        Sex.FEMALE if candidate.female else Sex.MALE,
    )  # fmt: skip
    patient = register_patient(uow(), clock, team.coordinator, team.site_id, details)
    outcome.patient_id = patient.id
    intake = screening_intake(patient, day, study_id)
    ptsd = intake["ptsd"]
    assert isinstance(ptsd, dict)
    ptsd["caps5_total"] = candidate.screening_caps5
    if candidate.screen_failure:  # QT 460 ms at 72/min: QTc (Fridericia) 489 ms, above the limit
        intake["ecg"] = {"qt_ms": 460, "heart_rate": 72, "correction": "fridericia"}
    if candidate.washout:
        stopped = day - timedelta(days=2)
        medications = intake["medications"]
        assert isinstance(medications, list)
        medications.append({"name": "sertraline", "last_dose": stopped.isoformat()})
        concomitant.add_medication(
            uow(), clock, team.coordinator, patient.id, "sertraline", "50 mg daily",
            day - timedelta(days=400), stopped,
        )  # fmt: skip
    stored = screening.record_screening(uow(), clock, team.coordinator, patient.id, intake)
    screening.sign_screening(uow(), clock, team.physician, stored.id)
    outcome.screened = True
    if candidate.screen_failure:
        return
    yield _at(day, 11)
    consent.sign_consent(
        uow(), clock, team.coordinator, patient.id, document_id=document.id,
        signed_name=details.name, witness_id=team.lead.user_id, signed_at=clock.now(),
    )  # fmt: skip

    day += timedelta(days=7)
    yield _at(day, 9)
    _, visits = schedule.enrol(uow(), clock, team.coordinator, patient.id, DEFAULT_PROTOCOL, day)
    participant = studies.join_study(uow(), clock, team.coordinator, clinic.study_id, patient.id)
    randomise.randomise(uow(), clock, seal, team.coordinator, clinic.study_id, patient.id)
    outcome.randomised = True
    arm = arms_of(uow, clinic.study_id, arms)[participant.id]
    outcome.arm = arm
    course = candidate.courses[arm]
    kit = clinic.kits_for(team.site_id, candidate.arrives_on)[
        Contents.ACTIVE if arm == "mdma" else Contents.PLACEBO
    ]
    rater = clinic.raters[candidate.number % len(clinic.raters)]
    for planned in visits:
        if planned.kind in _RATED:
            raters.assign_rater(uow(), clock, team.coordinator, clinic.study_id, patient.id,
                                planned.id, rater.username)  # fmt: skip

    latest_caps = candidate.screening_caps5
    while (visit := _next_visit(uow, patient.id)) is not None:
        hour = 8 if visit.kind is VisitKind.DOSING else 10
        yield _at(visit.planned, hour)
        if visit.kind is VisitKind.DOSING:
            events = candidate.teae[arm].get(visit.dosing_number or 0, ())
            yield from dosing_session(
                uow, clock, clinic, team, cal, rng, patient.id, visit, arm, kit, events
            )
            with uow() as work:
                held = work.visits.get(visit.id)
            if held is None or held.status is not VisitStatus.HELD:  # no dose: leaves the trial
                yield clock.now() + timedelta(days=1)
                schedule.withdraw(uow(), clock, team.coordinator, patient.id, clock.now().date(),
                                  "dose withheld at a dosing session (simulated)")  # fmt: skip
                return
            yield clock.now() + timedelta(minutes=20)
            _guesses(uow, clock, clinic, team, rng, cal, patient.id, f"es{visit.dosing_number}",
                     arm, None)  # fmt: skip
        else:
            schedule.record_visit(uow(), clock, team.coordinator, visit.id, visit.planned)
            if visit.code in course.scores or visit.code == "baseline":
                latest_caps = (
                    course.baseline if visit.code == "baseline" else course.scores[visit.code]
                )
            if visit.kind in _SELF_REPORTED:
                _self_report(uow, clock, team, patient.id, visit, latest_caps)
            if visit.kind in _CSSRS_VISITS:
                _cssrs(uow, clock, team.lead, patient.id, visit.planned, visit.id)
            if visit.kind in _RATED:
                _caps5(uow, clock, rater, patient.id, visit, latest_caps)
            if visit.kind is VisitKind.PRIMARY_ENDPOINT:
                _guesses(uow, clock, clinic, team, rng, cal, patient.id, "primary", arm, rater)
                outcome.completed = True
        if visit.code == course.dropout_after:
            yield _at(visit.planned + timedelta(days=2), 12)
            schedule.withdraw(uow(), clock, team.coordinator, patient.id, clock.now().date(),
                              "left the trial (simulated non-completer)")  # fmt: skip
            return


def arms_of(uow: UnitOfWorkFactory, study_id: int, known: dict[int, str]) -> dict[int, str]:
    """The allocations as the unblinded pharmacy knows them (which kit a participant takes):
    read from the study's allocation records, never shown to the blinded staff."""
    with uow() as work:
        for allocation in work.studies.allocations(study_id):
            known.setdefault(allocation.participant_id, str(allocation.arm))
    return known


def _next_visit(uow: UnitOfWorkFactory, patient_id: int) -> Visit | None:
    with uow() as work:
        enrolment = work.enrolments.for_patient(patient_id)[-1]
        planned = [v for v in work.visits.for_enrolment(enrolment.id)
                   if v.status is VisitStatus.PLANNED]  # fmt: skip
    return min(planned, key=lambda v: (v.planned, v.sequence)) if planned else None


def _self_report(
    uow: UnitOfWorkFactory, clock: SimClock, team: SiteTeam, patient_id: int, visit: Visit,
    caps5: int,
) -> None:  # fmt: skip
    library = get_protocol(DEFAULT_PROTOCOL).instruments
    answers = {}
    for code, scale in _SELF_REPORT_SCALE.items():
        definition = library.get(code)
        top = sum(item.maximum for item in definition.items)
        answers[str(code)] = answers_for_total(definition, min(top, round(caps5 * scale)), False)
    issued = self_report.issue_self_report_link(
        uow(), clock, team.coordinator, patient_id, visit_id=visit.id
    )
    self_report.submit_self_report(uow(), clock, issued.token, answers)


def _cssrs(
    uow: UnitOfWorkFactory, clock: SimClock, who: Principal, patient_id: int, on: date,
    visit_id: int | None,
) -> None:  # fmt: skip
    measures.record_clinician_instrument(
        uow(), clock, who, patient_id, InstrumentCode.CSSRS_SCREEN.value, ["no"] * 7,
        completed_on=on, visit_id=visit_id,
    )  # fmt: skip


def _caps5(
    uow: UnitOfWorkFactory, clock: SimClock, rater: Principal, patient_id: int, visit: Visit,
    total: int,
) -> None:  # fmt: skip
    caps = get_protocol(DEFAULT_PROTOCOL).instruments.get("caps5")
    measures.record_clinician_instrument(
        uow(), clock, rater, patient_id, "caps5", answers_for_total(caps, total, False),
        completed_on=visit.planned, visit_id=visit.id, criterion_f=True, criterion_g=True,
    )  # fmt: skip


def _guesses(
    uow: UnitOfWorkFactory,
    clock: SimClock,
    clinic: TrialClinic,
    team: SiteTeam,
    rng: np.random.Generator,
    cal: Calibration,
    patient_id: int,
    point: str,
    arm: str,
    rater: Principal | None,
) -> None:
    """The participant (entered by the coordinator), the lead therapist and, when given, the
    rater guess the arm; correct with the calibrated probabilities."""
    people = [("participant", team.coordinator), ("therapist", team.lead)]
    if rater is not None:
        people.append(("rater", rater))
    for respondent, who in people:
        unsure = cal.values.get(f"blinding.{respondent}.dont_know", 0.0)
        if rng.random() < unsure:
            guess, confidence = "dont_know", ""
        else:
            right = rng.random() < cal.value(f"blinding.{respondent}.{arm}_correct")
            active = (arm == "mdma") == right
            guess = blinding.ACTIVE if active else blinding.PLACEBO
            confidence = _GUESS_CONFIDENCE[int(rng.integers(2))]
        blinding.record_guess(
            uow(), clock, who, clinic.study_id, patient_id, time_point=point,
            respondent=respondent, guess=guess, confidence=confidence,
        )  # fmt: skip


def _liftable(decision: Any) -> bool:
    return all(r.liftable is Liftable.BY_OVERRIDE for r in decision.reasons)


def _no_dose(
    uow: UnitOfWorkFactory, clock: SimClock, clinic: TrialClinic, team: SiteTeam,
    session_id: int, dispensing: int, kit: int, at: datetime,
) -> Iterator[datetime]:  # fmt: skip
    """The initial dose refused by a hard stop: the team asks to discharge (the rules decide),
    and the pharmacist takes every capsule back. The journey then sees the visit not held."""
    at += timedelta(minutes=30)
    yield at
    discharge = {"physician_signoff": True, "escort": True, "overnight_stay": False}
    record_entry(uow(), clock, team.physician, session_id, EntryKind.REQUEST_DISCHARGE,
                 discharge, at.isoformat())  # fmt: skip
    yield at + timedelta(minutes=10)
    tally, _ = ledger.session_tally(uow(), clock, team.pharmacist, session_id)
    if tally.held:
        ledger.return_unused(uow(), clock, team.pharmacist, dispensing, quantity=tally.held,
                             unit=Unit.DOSAGE_UNIT, at=clock.now())  # fmt: skip
    closed = ledger.reconcile_session(uow(), clock, team.pharmacist, session_id)
    clinic.shelf[kit] -= closed.administered


# --- the dosing session --------------------------------------------------------------------


@cache
def _curve(initial: float, supplemental: float) -> tuple[tuple[float, float], ...]:
    """The PK model's concentration every minute for 12 h (docs/pk-model.md)."""
    doses = [Dose(0.0, initial)]
    if supplemental:
        doses.append(Dose(_SUPPLEMENTAL_AFTER.total_seconds() / 3600, supplemental))
    return concentration_curve(doses, 12.0)


def _reference_peak() -> float:
    """Cmax of 120 mg + 60 mg, the regimen the calibrated rises were measured at [S33]."""
    return max(c for _, c in _curve(120.0, 60.0))


def resting_vitals(rng: np.random.Generator, values: Mapping[str, float]) -> dict[str, float]:
    """A participant's pre-dose vital signs on a session day (calibration vitals.pre_dose.*).
    The four are drawn independently, so a draw can put the diastolic at or above the systolic,
    which no person has: such a draw is made again (rare: about 4 SD apart)."""
    while True:
        base = {p: rng.normal(values[f"vitals.pre_dose.{p}"], values[f"vitals.pre_dose.{p}_sd"])
                for p in _VITALS}  # fmt: skip
        if base["diastolic"] < base["systolic"]:
            return base


def vitals_reading(
    rng: np.random.Generator, values: Mapping[str, float], base: dict[str, float], share: float
) -> dict[str, float]:
    """One reading as recorded: the resting values, `share` of the calibrated peak rise and the
    reading-to-reading noise (vitals.peak_rise.*, vitals.spread.reading_sd_*). A reading the
    console would refuse as impossible (`plausibility.validate`: a diastolic not below the
    systolic, say) is a measuring error: the nurse takes it again (a fresh draw; rare, and never
    in the 104-participant default run)."""
    while True:
        reading = {}
        for p in _VITALS:
            noise = rng.normal(0, values[f"vitals.spread.reading_sd_{p}"])
            value = base[p] + share * values[f"vitals.peak_rise.{p}"] + noise
            reading[p] = round(value, 1 if p == "temperature_c" else None)
        try:
            plausibility.validate(
                reading["systolic"], reading["diastolic"], reading["heart_rate"],
                reading["temperature_c"],
            )  # fmt: skip
        except InvalidInput:
            continue
        return reading


def dosing_session(
    uow: UnitOfWorkFactory,
    clock: SimClock,
    clinic: TrialClinic,
    team: SiteTeam,
    cal: Calibration,
    rng: np.random.Generator,
    patient_id: int,
    visit: Visit,
    arm: str,
    kit: int,
    adverse_events: tuple[str, ...],
) -> Iterator[datetime]:
    """One dosing session from start to discharge, with the register behind it; `kit` the
    container the pharmacist dispenses from (the unblinded pharmacy's choice by arm).

    Vitals are taken when the session engine says the next reading is due (`Step.due`); a
    request the rules refuse is an answer: a refused supplemental dose is not given (its capsules
    go back to stock); a refused discharge waits, is measured again and asked again, and after two
    waits the physician overrides a liftable refusal with a reason.
    """
    rules = get_protocol(DEFAULT_PROTOCOL).dosing
    number = visit.dosing_number or 1
    initial = max(rules.initial_doses_for(number))
    supplemental = initial * rules.supplemental.max_fraction_of_initial.value
    start = clock.now()
    with uow() as work:
        patient = work.patients.get(patient_id)
    assert patient is not None
    born, today = patient.details.date_of_birth, start.date()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    childbearing = patient.details.sex is Sex.FEMALE and age < 50
    _cssrs(uow, clock, team.lead, patient_id, today, None)  # the day's screener (the gate)
    session = start_session(
        uow(), clock, team.lead, visit.id, started_at=start.isoformat(),
        childbearing_potential=childbearing, weight_kg=round(float(rng.normal(72, 12)), 1),
        present=[(team.lead.full_name, "therapist"), (team.partner.full_name, "therapist"),
                 (team.physician.full_name, "physician")],
    )  # fmt: skip
    stock = register.DemoRegister(team.pharmacist, kit)
    dispensing = register.dispense(uow, clock, stock, session.id, (initial, supplemental), start)

    pre = cal.values
    base = resting_vitals(rng, pre)
    spread = pre["vitals.spread.between_participants_cv"]
    rise = 0.0 if arm != "mdma" else max(0.0, rng.normal(1.0, spread))
    given_supplemental = False
    t0 = start + timedelta(minutes=15)

    def entry(at: datetime, who: Principal, kind: EntryKind, fields: dict[str, Any]) -> Any:
        return record_entry(uow(), clock, who, session.id, kind, fields, at.isoformat())

    def vitals(at: datetime) -> datetime:
        """Record a reading at `at` (the clock reads `at`); returns when the next is due."""
        hours = max(0.0, (at - t0).total_seconds() / 3600)
        curve = _curve(initial, supplemental if given_supplemental else 0.0)
        share = rise * curve[min(len(curve) - 1, round(hours * 60))][1] / _reference_peak()
        reading = vitals_reading(rng, pre, base, share)
        step = entry(at, team.lead, EntryKind.VITALS, reading).step
        due: datetime = step.due.due if step.due is not None else at + rules.schedule.routine
        return max(due, at + timedelta(minutes=1))

    checklist: dict[str, Any] = {"fasting_hours": 10 + int(rng.integers(3)), "providers_present": 2,
                                 "pregnancy_test": "not_done"}  # fmt: skip
    if childbearing:  # a negative test dated the session day (MAPP1/MAPP2 inclusion [S14])
        checklist |= {"pregnancy_test": "negative", "pregnancy_test_date": today.isoformat()}
    yield start + timedelta(minutes=5)
    entry(clock.now(), team.physician, EntryKind.CHECKLIST, checklist)
    yield start + timedelta(minutes=8)
    entry(clock.now(), team.lead, EntryKind.SUDS, {"value": int(rng.integers(25, 50))})
    yield start + timedelta(minutes=10)
    vitals(clock.now())
    yield t0
    dose = {"mg": initial, "dispensing_id": dispensing, "kit_quantity": register.capsules(initial)}
    decision = entry(t0, team.lead, EntryKind.REQUEST_INITIAL, dose).step.decision
    if decision is not None and not decision.allowed and _liftable(decision):
        # the "needs a physician" tier (e.g. pre-dose BP of 140/90 or more): the physician
        # reviews and approves with a reason, then the dose is asked for again
        t0 += timedelta(minutes=2)
        yield t0
        entry(t0, team.physician, EntryKind.OVERRIDE, {
            "action": "initial", "reason": "reviewed at the bedside: asymptomatic, approved",
        })  # fmt: skip
        decision = entry(t0, team.lead, EntryKind.REQUEST_INITIAL, dose).step.decision
    if decision is None or not decision.allowed:  # a hard stop: no dose today
        yield from _no_dose(uow, clock, clinic, team, session.id, dispensing, kit, t0)
        return
    next_vitals = t0 + rules.schedule.routine
    actions: list[tuple[datetime, str, str]] = [(t0 + _SUPPLEMENTAL_AFTER, "supplemental", "")]
    for term in adverse_events:
        actions.append((t0 + timedelta(minutes=int(rng.integers(45, 300))), "ae", term))
    discharge_at = t0 + rules.discharge.min_after_initial.value + timedelta(minutes=5)
    actions.append((discharge_at, "discharge", ""))
    actions.sort()
    waits = 0
    while actions:
        at, action, term = actions[0]
        if next_vitals <= at:
            yield next_vitals
            next_vitals = vitals(next_vitals)
            continue
        actions.pop(0)
        yield at
        if action == "supplemental":
            fields = {"mg": supplemental, "dispensing_id": dispensing,
                      "kit_quantity": register.capsules(supplemental)}  # fmt: skip
            decision = entry(at, team.lead, EntryKind.REQUEST_SUPPLEMENTAL, fields).step.decision
            given_supplemental = decision is not None and decision.allowed
        elif action == "ae":
            entry(at, team.lead, EntryKind.ADVERSE_EVENT, {
                "term": term, "category": "other", "severity": "mild",
                "relatedness": "possible", "outcome": "resolved", "solicited": True,
            })  # fmt: skip
        else:  # discharge: a fresh reading, distress and C-SSRS, then the physician asks
            next_vitals = max(next_vitals, vitals(at))
            entry(at, team.lead, EntryKind.SUDS, {"value": int(rng.integers(5, 20))})
            entry(at, team.physician, EntryKind.CSSRS, {"risk": "none"})
            if waits >= 2:
                entry(at, team.physician, EntryKind.OVERRIDE, {
                    "action": "discharge",
                    "reason": "readings falling and the participant calm; discharged to an adult",
                })  # fmt: skip
            discharge = {"physician_signoff": True, "escort": True, "overnight_stay": False}
            decision = entry(
                at, team.physician, EntryKind.REQUEST_DISCHARGE, discharge
            ).step.decision
            if decision is None or not decision.allowed:
                waits += 1
                if waits > _MAX_WAITS:
                    raise RuntimeError(f"session {session.id}: discharge refused all night")
                actions.append((at + timedelta(minutes=30), "discharge", ""))
    end = clock.now() + timedelta(minutes=10)
    yield end  # the pharmacist accounts for the session after discharge
    tally, _ = ledger.session_tally(uow(), clock, team.pharmacist, session.id)
    if tally.held:
        ledger.return_unused(uow(), clock, team.pharmacist, dispensing, quantity=tally.held,
                             unit=Unit.DOSAGE_UNIT, at=end)  # fmt: skip
    closed = ledger.reconcile_session(uow(), clock, team.pharmacist, session.id)
    clinic.shelf[kit] -= closed.administered  # given to the participant; the rest went back
