"""Storing scored instruments and reading them back: the chart's measures, the clinic's due list.

Every instrument is scored by the pure functions of `mdma_at.domain.instruments` with the
definition of the patient's protocol, then stored item by item with that definition's version and
LOINC codes; the alerts the score raises are stored with it and go to the physicians' queue
(`services.safety_alerts`). Administrations are append-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from mdma_at.domain.access import PERMISSIONS, Action, sites_for
from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.domain.events import SafetyAlertOpened
from mdma_at.domain.instruments import (
    CompletedAdministration,
    DueItem,
    DueReport,
    DueStatus,
    InstrumentDefinition,
    InstrumentLibrary,
    Score,
    due_and_overdue,
    item_answers,
    parse_answers,
    score,
)
from mdma_at.domain.instruments.definitions import Administration as AdministeredBy
from mdma_at.domain.instruments.definitions import DiagnosisRule
from mdma_at.domain.measurement.records import (
    Administration,
    EnteredThrough,
    LinkDelivery,
    SafetyAlert,
    SelfReportLink,
)
from mdma_at.domain.measurement.trajectory import Measurement, Trajectory, trajectories
from mdma_at.domain.patients import Patient
from mdma_at.domain.schedule.records import Enrolment, EnrolmentStatus, Visit, VisitStatus
from mdma_at.domain.staff import Principal
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol
from mdma_at.services.audit import Actor, record
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.trials import raters
from mdma_at.services.trials.studies import refuse


@dataclass(frozen=True, slots=True)
class Stored:
    """An administration as stored, and the alerts it raised."""

    administration: Administration
    alerts: tuple[SafetyAlert, ...]


@dataclass(frozen=True, slots=True)
class PatientMeasures:
    """What the chart shows of a patient's outcome measures."""

    patient: Patient
    library: InstrumentLibrary
    trajectories: tuple[Trajectory, ...]
    administrations: tuple[Administration, ...]
    alerts: tuple[SafetyAlert, ...]
    due: DueReport
    visits: tuple[Visit, ...]
    links: tuple[SelfReportLink, ...]
    link_visits: dict[int, str]  # visit id -> label, for the visits the links count for
    deliveries: tuple[LinkDelivery, ...]  # each attempt to send a link, oldest first

    @property
    def open_alerts(self) -> tuple[SafetyAlert, ...]:
        return tuple(a for a in self.alerts if a.is_open)


@dataclass(frozen=True, slots=True)
class ClinicDue:
    """Questionnaires due and overdue across the clinic, most urgent first."""

    today: date
    items: tuple[tuple[Patient, DueItem], ...]
    visit_ids: dict[int, dict[str, int]]  # patient -> visit code -> visit id (for links)

    @property
    def overdue(self) -> tuple[tuple[Patient, DueItem], ...]:
        return tuple(row for row in self.items if row[1].status is DueStatus.OVERDUE)

    @property
    def due(self) -> tuple[tuple[Patient, DueItem], ...]:
        return tuple(row for row in self.items if row[1].status is DueStatus.DUE)


def library_for(uow: UnitOfWork, patient_id: int) -> InstrumentLibrary:
    """The instruments of the patient's current protocol (the default one when not enrolled)."""
    enrolments = uow.enrolments.for_patient(patient_id)
    protocol = enrolments[-1].protocol if enrolments else DEFAULT_PROTOCOL
    return get_protocol(protocol).instruments


def score_texts(
    definition: InstrumentDefinition,
    texts: Sequence[str],
    criterion_f: bool | None = None,
    criterion_g: bool | None = None,
) -> Score:
    """Parse and score answers typed in a form (pure; raises `InvalidInput` naming the item)."""
    f_and_g = definition.diagnosis_rule is DiagnosisRule.DSM5_WITH_F_AND_G
    return score(
        definition,
        parse_answers(definition, texts),
        criterion_f=criterion_f if f_and_g else None,
        criterion_g=criterion_g if f_and_g else None,
    )


def store_score(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    patient: Patient,
    visit_id: int | None,
    definition: InstrumentDefinition,
    scored: Score,
    *,
    completed_on: date,
    entered_through: EnteredThrough,
    link_id: int | None = None,
    criterion_f: bool | None = None,
    criterion_g: bool | None = None,
) -> Stored:
    """Store one scored instrument, item by item, with its alerts; audited. Inside `with uow:`."""
    administration = uow.administrations.add(
        patient.id,
        visit_id,
        definition,
        scored,
        item_answers(definition, scored),
        completed_on=completed_on,
        recorded_at=clock.now(),
        entered_through=entered_through,
        entered_by=actor.user_id,
        link_id=link_id,
        criterion_f=criterion_f,
        criterion_g=criterion_g,
    )
    record(
        uow,
        clock,
        actor,
        "instrument_recorded",
        "instrument_administration",
        administration.id,
        after={
            "patient": patient.study_id,
            "visit_id": visit_id,
            "instrument": definition.code,
            "version": definition.version,
            "completed_on": completed_on,
            "entered_through": entered_through,
            "answers": list(scored.answers),
            "score": scored.to_dict(),
        },
    )
    alerts = []
    for alert in scored.alerts:
        stored = uow.safety_alerts.add(patient.id, administration.id, alert, clock.now())
        record(
            uow,
            clock,
            actor,
            "safety_alert_raised",
            "safety_alert",
            stored.id,
            after={
                "patient": patient.study_id,
                "code": alert.code,
                "level": alert.level,
                "reason": alert.reason,
            },
        )
        uow.emit(SafetyAlertOpened(stored.id, patient.id, stored.level, stored.code))
        alerts.append(stored)
    return Stored(administration, tuple(alerts))


def record_clinician_instrument(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    patient_id: int,
    instrument: str,
    answers: Sequence[str],
    *,
    completed_on: date,
    visit_id: int | None = None,
    criterion_f: bool | None = None,
    criterion_g: bool | None = None,
) -> Stored:
    """Store a clinician-administered instrument (C-SSRS screener, CAPS-5) entered by staff.

    Answers are the form's texts in item order (ratings 0-4 for the CAPS-5; yes/no for the
    C-SSRS; empty = not answered). Criteria F and G apply to the CAPS-5 only (None = not rated).

    Raises:
        InvalidInput: ``instrument`` (unknown, or a self-report instrument), ``items[n]`` naming
            the item, ``completed_on`` (in the future or before enrolment), ``visit_id``.
        Conflict: a study participant's CAPS-5 from anyone but the independent rater assigned to
            the visit (audited as `rating_refused`, ADR 0170).
    """
    if completed_on > clock.now().date():
        raise InvalidInput("completed_on", f"{completed_on} is in the future")
    with uow:
        patient, actor = load_patient(
            uow, clock, principal, patient_id, Action.ENTER_CLINICIAN_INSTRUMENT
        )
        definition = library_for(uow, patient.id).get(instrument)
        if definition.administration is not AdministeredBy.CLINICIAN:
            raise InvalidInput(
                "instrument",
                f"{definition.name} is a self-report questionnaire: send the patient a link",
            )
        scored = score_texts(definition, answers, criterion_f, criterion_g)
        if all(value is None for value in scored.answers):
            raise InvalidInput("items", f"no answers: {definition.name} was left empty")
        enrolment = _current_enrolment(uow, patient.id)
        if enrolment is not None and completed_on < enrolment.enrolled_on:
            raise InvalidInput(
                "completed_on", f"{completed_on} is before enrolment on {enrolment.enrolled_on}"
            )
        visit = check_visit(uow, patient, visit_id)
        refusal = raters.rating_refusal(uow, principal.user_id, patient.id, definition.code, visit)
        if refusal is not None:  # a study participant is rated by their independent rater
            refuse(
                uow, clock, actor, "rating_refused", ("patient", patient.id), [refusal],
                {"instrument": definition.code, "visit": visit.code if visit else None},
            )  # fmt: skip
        stored = store_score(
            uow,
            clock,
            actor,
            patient,
            visit_id,
            definition,
            scored,
            completed_on=completed_on,
            entered_through=EnteredThrough.STAFF,
            criterion_f=criterion_f,
            criterion_g=criterion_g,
        )
        uow.commit()
    return stored


def patient_measures(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int
) -> PatientMeasures:
    """The patient's trajectories, alerts, what is due, and recent self-report links."""
    today = clock.now().date()
    with uow:
        patient, _ = load_patient(uow, clock, principal, patient_id, Action.VIEW_MEASURES)
        library = library_for(uow, patient.id)
        administrations = tuple(uow.administrations.for_patient(patient.id))
        alerts = tuple(uow.safety_alerts.for_patient(patient.id))
        enrolment = _current_enrolment(uow, patient.id)
        visits: tuple[Visit, ...] = ()
        if enrolment is not None and enrolment.status is EnrolmentStatus.ACTIVE:
            visits = tuple(
                v
                for v in uow.visits.for_enrolment(enrolment.id)
                if v.status is not VisitStatus.CANCELLED
            )
        links = tuple(uow.questionnaire_links.for_patient(patient.id))
        deliveries = tuple(uow.questionnaire_links.deliveries([link.id for link in links]))
        link_visits = {
            visit.id: visit.label
            for visit in (uow.visits.get(v) for v in {k.visit_id for k in links if k.visit_id})
            if visit is not None
        }
    labels = {v.id: v.label for v in visits}
    measured = [
        (a.instrument, Measurement(a.id, a.completed_on, labels.get(a.visit_id or 0), a.score))
        for a in administrations
    ]
    due = due_and_overdue(library.due_rules, visits, _completed(administrations, visits), today)
    ordered_alerts = tuple(sorted(alerts, key=lambda a: (not a.is_open, -a.id)))
    return PatientMeasures(
        patient,
        library,
        trajectories(library, measured),
        administrations,
        ordered_alerts,
        due,
        visits,
        links,
        link_visits,
        deliveries,
    )


def clinic_due(uow: UnitOfWork, clock: Clock, principal: Principal) -> ClinicDue:
    """Instruments due and overdue for every active patient at the principal's sites."""
    return _due_at(uow, clock.now().date(), sites_for(principal, Action.VIEW_MEASURES))


@dataclass(frozen=True, slots=True)
class RatingDue:
    """One rating on the blinded rater's list: the study ID and the visit, nothing else."""

    patient_id: int
    study_id: str
    visit_id: int
    item: DueItem


@dataclass(frozen=True, slots=True)
class RatingSheet:
    """What the rating form needs: the instrument, the study ID and the patient's visits (no
    name, no arm, no doses: a rater rates without seeing the chart, ADR 0004)."""

    patient_id: int
    study_id: str
    definition: InstrumentDefinition
    visits: tuple[Visit, ...]


#: The ratings a blinded independent rater makes (DESIGN.md section 1: the rater scores CAPS-5).
RATED_INSTRUMENTS = frozenset({raters.RATED_INSTRUMENT})


def ratings_due(uow: UnitOfWork, clock: Clock, principal: Principal) -> tuple[RatingDue, ...]:
    """The CAPS-5 ratings due and overdue at the sites where the principal rates, most urgent
    first (the rater's "My ratings")."""
    clinic = _due_at(uow, clock.now().date(), sites_for(principal, Action.VIEW_RATINGS))
    due = [
        RatingDue(patient.id, patient.study_id, clinic.visit_ids[patient.id][item.visit_code], item)
        for patient, item in clinic.items
        if str(item.instrument) in RATED_INSTRUMENTS
    ]
    with uow:  # a study participant's rating shows only to the rater assigned to it (ADR 0170)
        participants = {r.patient_id for r in due if raters.study_of(uow, r.patient_id)}
        mine = {a.visit_id for a in uow.trial_conduct.assignments_of(principal.user_id)}
    return tuple(r for r in due if r.patient_id not in participants or r.visit_id in mine)


def rating_sheet(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int, instrument: str
) -> RatingSheet:
    """The form of a clinician-administered instrument, for whoever may enter it.

    Raises:
        InvalidInput: ``instrument`` unknown, or a questionnaire the patient fills in.
    """
    with uow:
        patient, _ = load_patient(
            uow, clock, principal, patient_id, Action.ENTER_CLINICIAN_INSTRUMENT
        )
        definition = library_for(uow, patient.id).get(instrument)
        if definition.administration is not AdministeredBy.CLINICIAN:
            raise InvalidInput("instrument", f"{definition.name} is filled in by the patient")
        enrolment = _current_enrolment(uow, patient.id)
        visits: tuple[Visit, ...] = ()
        if enrolment is not None and enrolment.status is EnrolmentStatus.ACTIVE:
            visits = tuple(
                v
                for v in uow.visits.for_enrolment(enrolment.id)
                if v.status is not VisitStatus.CANCELLED
            )
        clinician = principal.roles_at(patient.site_id) & PERMISSIONS[Action.VIEW_MEASURES]
        if raters.study_of(uow, patient.id) is not None and not clinician:
            # a blinded rater: only the visits they are assigned to rate (ADR 0170)
            assigned = raters.assigned_visits(uow, principal.user_id, patient.id)
            visits = tuple(v for v in visits if v.id in assigned)
    return RatingSheet(patient.id, patient.study_id, definition, visits)


def _due_at(uow: UnitOfWork, today: date, sites: frozenset[int]) -> ClinicDue:
    with uow:
        schedules = uow.administrations.active_schedules(sites)
        done = uow.administrations.completed([patient.id for patient, _ in schedules])
        libraries = {patient.id: library_for(uow, patient.id) for patient, _ in schedules}
    rows: list[tuple[Patient, DueItem]] = []
    visit_ids: dict[int, dict[str, int]] = {}
    for patient, visits in schedules:
        codes = {v.id: v.code for v in visits}
        visit_ids[patient.id] = {v.code: v.id for v in visits}
        completed = [
            CompletedAdministration(instrument, codes[visit_id], on)
            for patient_id, visit_id, instrument, on in done
            if patient_id == patient.id and visit_id in codes
        ]
        report = due_and_overdue(libraries[patient.id].due_rules, visits, completed, today)
        rows.extend((patient, item) for item in (*report.overdue, *report.due))
    rows.sort(
        key=lambda row: (
            row[1].status is not DueStatus.OVERDUE,
            -row[1].days_overdue,
            row[1].due_by,
            row[0].study_id,
        )
    )
    return ClinicDue(today, tuple(rows), visit_ids)


def _completed(
    administrations: Sequence[Administration], visits: Sequence[Visit]
) -> list[CompletedAdministration]:
    codes = {v.id: v.code for v in visits}
    return [
        CompletedAdministration(a.instrument, codes[a.visit_id], a.completed_on)
        for a in administrations
        if a.visit_id in codes
    ]


def _current_enrolment(uow: UnitOfWork, patient_id: int) -> Enrolment | None:
    enrolments = uow.enrolments.for_patient(patient_id)
    return enrolments[-1] if enrolments else None


def check_visit(uow: UnitOfWork, patient: Patient, visit_id: int | None) -> Visit | None:
    """The visit an instrument is recorded for must be one of the patient's, not cancelled."""
    if visit_id is None:
        return None
    visit = uow.visits.get(visit_id)
    enrolment = uow.enrolments.get(visit.enrolment_id) if visit else None
    if visit is None or enrolment is None or enrolment.patient_id != patient.id:
        # never name the patient: a rater enters a CAPS-5 without seeing who it is (issue 10)
        raise InvalidInput("visit_id", f"visit {visit_id} is not one of this patient's visits")
    if visit.status is VisitStatus.CANCELLED:
        raise Conflict(f"{visit.label} was cancelled")
    return visit
