"""The ethics committee's annual progress summary (issue 17, item 4): recruitment, retention,
treatment given, safety (adverse events, serious ones and their expedited reports) and protocol
deviations over the period, for the reader's sites. HREC forms differ; these are the headings
they share (ADR 0189). Study participation is counted per study, never per arm."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from mdma_at.domain.adverse_events import AeCategory, AeSeverity
from mdma_at.domain.reports import Period, period
from mdma_at.domain.schedule.records import EnrolmentStatus, ProtocolDeviation
from mdma_at.domain.staff import Principal
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.reports.records import (
    AdverseEvent,
    gather,
    generated,
    held_in,
    reader,
)


@dataclass(frozen=True, slots=True)
class ProgressSummary:
    period: Period
    generated_at: datetime
    generated_by: str
    sites: tuple[str, ...]
    registered: int  # patients on the roll at the end of the period
    enrolled_in_period: int
    active_at_end: int
    withdrawn_in_period: tuple[tuple[str, date, str], ...]
    completed_course: int  # a third dosing session held or charted in the period
    visits_held: int
    sessions_charted: int
    doses_given: int
    adverse_events: tuple[AdverseEvent, ...]
    reports_submitted: int  # expedited reports of serious events in the period, marked sent
    deviations: tuple[tuple[str, ProtocolDeviation], ...]
    studies: tuple[tuple[str, str, int], ...]  # (code, title, participants)

    def count_by(self, key: str, values: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
        counted = Counter(str(ae.details.get(key)) for ae in self.adverse_events)
        return tuple((v, counted[v]) for v in values)

    @property
    def by_category(self) -> tuple[tuple[str, int], ...]:
        return self.count_by("category", tuple(c.value for c in AeCategory))

    @property
    def by_severity(self) -> tuple[tuple[str, int], ...]:
        return self.count_by("severity", tuple(s.value for s in AeSeverity))

    @property
    def serious(self) -> int:
        return sum(1 for ae in self.adverse_events if ae.serious)


def progress_summary(
    uow: UnitOfWork, clock: Clock, principal: Principal, start: date, end: date
) -> ProgressSummary:
    """The summary over [start, end] (an ethics committee's year, usually).

    Raises:
        InvalidInput: ``to`` before ``from``.
        PermissionDenied: the reader may not view reports (audited).
    """
    span = period(start, end)
    records = gather(uow, clock, principal)
    generated(uow, clock, principal, "annual-progress", span, records)
    enrolled = active = completed = held = charted = doses = 0
    withdrawn: list[tuple[str, date, str]] = []
    deviations: list[tuple[str, ProtocolDeviation]] = []
    for rec in records.patients:
        sid = rec.patient.study_id
        for e in rec.enrolments:
            enrolled += span.holds(e.enrolled_on)
            if e.enrolled_on <= span.end and (
                e.status is EnrolmentStatus.ACTIVE
                or (e.withdrawn_on is not None and e.withdrawn_on > span.end)
            ):
                active += 1
            if e.withdrawn_on is not None and span.holds(e.withdrawn_on):
                withdrawn.append((sid, e.withdrawn_on, e.withdrawal_reason or ""))
        held += len(held_in(rec, span))
        completed += rec.course_completed_on(span) is not None
        for f in rec.sessions:
            if span.holds(f.session.started_at.date()):
                charted += 1
                doses += sum(1 for g in (f.folded.state.initial, f.folded.state.supplemental) if g)
        deviations += [(sid, d) for d in rec.deviations if span.holds(d.recorded_at.date())]
    events = records.adverse_events_in(span)
    with uow:
        registered = len(records.patients)
        sent = uow.safety_reports.for_entries([ae.entry.id for ae in events if ae.serious])
        studies = tuple(
            (s.code, s.title, len(uow.studies.participants(s.id)))
            for s in uow.studies.list()
            if set(s.site_ids) & records.sites
        )
    return ProgressSummary(
        span, clock.now(), reader(principal), tuple(sorted(records.site_names.values())),
        registered, enrolled, active, tuple(withdrawn), completed, held, charted, doses, events,
        len(sent), tuple(deviations), studies,
    )  # fmt: skip
