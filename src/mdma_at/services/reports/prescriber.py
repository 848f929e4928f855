"""The six-monthly Authorised Prescriber report Australia's TGA asks of MDMA prescribers (issue 17,
item 4): patients treated, new patients, courses completed, adverse events and deviations in the
period, from the records (reference/clinical-facts.md §7 [S60]; what counts as what: ADR 0189)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from mdma_at.domain.adverse_events import AeCategory
from mdma_at.domain.reports import Period, ReportingPeriods, period
from mdma_at.domain.schedule.records import EnrolmentStatus, ProtocolDeviation
from mdma_at.domain.staff import Principal
from mdma_at.protocols.mapp_v1.reporting import AUTHORISED_PRESCRIBER
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.reports.records import (
    AdverseEvent,
    gather,
    generated,
    reader,
)


@dataclass(frozen=True, slots=True)
class TreatedPatient:
    study_id: str
    first_dose: date  # ever, not only in the period
    doses_in_period: int  # dosing days in the period
    new: bool  # first treated in the period
    course_completed_on: date | None  # the last dosing session of the programme, in the period


@dataclass(frozen=True, slots=True)
class PrescriberReport:
    period: Period
    generated_at: datetime
    generated_by: str
    sites: tuple[str, ...]
    rules: ReportingPeriods
    treated: tuple[TreatedPatient, ...]
    adverse_events: tuple[AdverseEvent, ...]
    deviations: tuple[tuple[str, ProtocolDeviation], ...]  # (study ID, deviation)
    withdrawn: tuple[tuple[str, date, str], ...]  # (study ID, day, reason)

    @property
    def patients_treated(self) -> int:
        return len(self.treated)

    @property
    def new_patients(self) -> int:
        return sum(1 for t in self.treated if t.new)

    @property
    def courses_completed(self) -> int:
        return sum(1 for t in self.treated if t.course_completed_on is not None)

    @property
    def serious_adverse_events(self) -> int:
        return sum(1 for ae in self.adverse_events if ae.serious)

    @property
    def adverse_events_by_category(self) -> tuple[tuple[str, int], ...]:
        counted = Counter(str(ae.details.get("category")) for ae in self.adverse_events)
        return tuple((c.value, counted[c.value]) for c in AeCategory if counted[c.value])


def authorised_prescriber_report(
    uow: UnitOfWork, clock: Clock, principal: Principal, start: date, end: date
) -> PrescriberReport:
    """The report over [start, end] for the reader's sites.

    Raises:
        InvalidInput: ``to`` before ``from``.
        PermissionDenied: the reader may not view reports (audited).
    """
    span = period(start, end)
    records = gather(uow, clock, principal)
    generated(uow, clock, principal, "authorised-prescriber", span, records)
    treated = []
    deviations = []
    withdrawn = []
    for record in records.patients:
        study_id = record.patient.study_id
        deviations += [(study_id, d) for d in record.deviations if span.holds(d.recorded_at.date())]
        withdrawn += [
            (study_id, e.withdrawn_on, e.withdrawal_reason or "")
            for e in record.enrolments
            if e.status is EnrolmentStatus.WITHDRAWN
            and e.withdrawn_on is not None
            and span.holds(e.withdrawn_on)
        ]
        days = record.dosing_days()
        inside = [d for d in days if span.holds(d)]
        if not inside:
            continue
        treated.append(
            TreatedPatient(
                study_id,
                days[0],
                len(inside),
                span.holds(days[0]),
                record.course_completed_on(span),
            )
        )
    return PrescriberReport(
        span,
        clock.now(),
        reader(principal),
        tuple(sorted(records.site_names.values())),
        AUTHORISED_PRESCRIBER,
        tuple(sorted(treated, key=lambda t: t.study_id)),
        records.adverse_events_in(span),
        tuple(deviations),
        tuple(withdrawn),
    )
