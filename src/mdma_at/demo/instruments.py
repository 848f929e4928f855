"""Questionnaire histories for the demo clinic (issue 4, item 7).

Every held visit of every active demo patient gets the instruments the protocol schedules there,
entered through the same use cases the clinic uses: the PHQ-9, GAD-7 and PCL-5 through a
self-report link issued by the coordinator and answered by the "patient"; the C-SSRS screener by
a therapist; the CAPS-5 by the blinded rater. Scores improve over the programme, as they did on
average in the MAPP trials. Self-reports are answered on the day of their visit: the link is
issued and used under a clock set to that day, so their audit events carry that day too.

Left open on purpose: one safety alert (DEMO-009's latest PHQ-9 has item 9 above 0) and one
overdue questionnaire (DEMO-008's GAD-7 at its latest held visit). One earlier alert (DEMO-010) is
acknowledged by the physician, so the chart shows a closed alert with its action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from mdma_at.domain.instruments import InstrumentCode, InstrumentDefinition
from mdma_at.domain.instruments.due import instruments_at
from mdma_at.domain.measurement.links import SELF_REPORT_INSTRUMENTS
from mdma_at.domain.schedule.records import Visit, VisitStatus
from mdma_at.domain.staff import Principal
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol
from mdma_at.services.access.auth import load_principal
from mdma_at.services.measurement import measures, safety_alerts, self_report
from mdma_at.services.ports import Clock, UnitOfWorkFactory

OPEN_ALERT = "DEMO-009"
OVERDUE_QUESTIONNAIRE = ("DEMO-008", InstrumentCode.GAD7)
ACKNOWLEDGED_ALERT = "DEMO-010"

# (start, end) totals over the programme: end is reached ~4 months after enrolment
TRAJECTORY = {
    InstrumentCode.PCL5: (54, 22),
    InstrumentCode.PHQ9: (16, 6),
    InstrumentCode.GAD7: (13, 5),
    InstrumentCode.CAPS5: (41, 12),
}
PROGRAMME_DAYS = 120


@dataclass(frozen=True, slots=True)
class _DayClock:
    """The clinic's clock on a past day at 10:00 UTC (self-reports answered at their visit)."""

    day: date

    def now(self) -> datetime:
        return datetime.combine(self.day, time(10, 0), tzinfo=UTC)


def seed_demo_measures(uow: UnitOfWorkFactory, clock: Clock) -> None:
    """Fill in the questionnaire histories of the demo clinic (after its visits are recorded)."""
    coordinator, therapist, rater, physician = (
        _principal(uow, name) for name in ("c.mensah", "t.alvarez", "r.blind", "dr.ng")
    )
    with uow() as work:
        schedules = work.administrations.active_schedules(coordinator.site_ids)
    library = get_protocol(DEFAULT_PROTOCOL).instruments
    for patient_index, (patient, visits) in enumerate(schedules):
        held = [v for v in visits if v.status is VisitStatus.HELD and v.held_on is not None]
        if not held:
            continue
        enrolled_on = min(v.window_start for v in visits)
        due_at = {
            v.id: {rule.instrument for rule in instruments_at(library.due_rules, v.code, v.kind)}
            for v in held
        }
        study_id = patient.details.study_id
        skipped_visit = None  # the visit whose questionnaire is left overdue
        if study_id == OVERDUE_QUESTIONNAIRE[0]:
            skipped_visit = [v for v in held if OVERDUE_QUESTIONNAIRE[1] in due_at[v.id]][-1]
        self_reported = [v for v in held if InstrumentCode.PHQ9 in due_at[v.id]]
        offset = patient_index % 4 - 1  # patients differ by a few points
        for visit in held:
            due = due_at[visit.id]
            progress = min(1.0, (_day(visit) - enrolled_on).days / PROGRAMME_DAYS)
            skip = OVERDUE_QUESTIONNAIRE[1] if visit is skipped_visit else None
            ideation = study_id == OPEN_ALERT and visit is self_reported[-1]
            ideation = ideation or (study_id == ACKNOWLEDGED_ALERT and visit.code == "baseline")
            self_reports = {
                code: answers_for_total(library.get(code), _total(code, progress, offset), ideation)
                for code in SELF_REPORT_INSTRUMENTS
                if code in due and code != skip
            }
            if self_reports:
                day_clock = _DayClock(_day(visit))
                issued = self_report.issue_self_report_link(
                    uow(), day_clock, coordinator, patient.id, visit_id=visit.id
                )
                self_report.submit_self_report(
                    uow(), day_clock, issued.token, {str(k): v for k, v in self_reports.items()}
                )
            if InstrumentCode.CSSRS_SCREEN in due:
                measures.record_clinician_instrument(
                    uow(),
                    clock,
                    therapist,
                    patient.id,
                    "cssrs-screen",
                    ["no"] * 7,
                    completed_on=_day(visit),
                    visit_id=visit.id,
                )
            if InstrumentCode.CAPS5 in due:
                caps = library.get("caps5")
                measures.record_clinician_instrument(
                    uow(),
                    clock,
                    rater,
                    patient.id,
                    "caps5",
                    answers_for_total(caps, _total(InstrumentCode.CAPS5, progress, offset), False),
                    completed_on=_day(visit),
                    visit_id=visit.id,
                    criterion_f=True,
                    criterion_g=True,
                )
    _acknowledge_earlier_alert(uow, clock, physician)


def _acknowledge_earlier_alert(uow: UnitOfWorkFactory, clock: Clock, physician: Principal) -> None:
    for patient, alert in safety_alerts.open_safety_alerts(uow(), physician):
        if patient.details.study_id == ACKNOWLEDGED_ALERT:
            safety_alerts.acknowledge_safety_alert(
                uow(),
                clock,
                physician,
                alert.id,
                "Called the patient the same day: passive thoughts, no plan or intent; "
                "safety plan reviewed with the therapist.",
            )


def _principal(uow: UnitOfWorkFactory, username: str) -> Principal:
    with uow() as work:
        found = work.staff.by_username(username)
        assert found is not None, username
        return load_principal(work, found[0].id)


def _day(visit: Visit) -> date:
    assert visit.held_on is not None
    return visit.held_on


def _total(code: InstrumentCode, progress: float, offset: int) -> int:
    start, end = TRAJECTORY[code]
    return max(0, round(start + (end - start) * progress) + 2 * offset)


def answers_for_total(definition: InstrumentDefinition, total: int, ideation: bool) -> list[str]:
    """Ratings summing to `total`, spread over the items; PHQ-9 item 9 is 0 unless `ideation`."""
    items = list(definition.items)
    fixed = {}
    if definition.code == InstrumentCode.PHQ9:
        fixed[9] = 1 if ideation else 0
    free = [item for item in items if item.number not in fixed]
    remaining = max(0, total - sum(fixed.values()))
    ratings = {}
    for index, item in enumerate(free):
        share = remaining // len(free) + (1 if index < remaining % len(free) else 0)
        ratings[item.number] = min(item.maximum, share)
    ratings.update(fixed)
    return [str(ratings[item.number]) for item in items]
