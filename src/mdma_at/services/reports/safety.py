"""Expedited safety reports (issue 17, item 4): one per serious adverse event, in the CIOMS I
layout, with the 7- and 15-day clocks from awareness (protocols/mapp_v1/reporting.py) shown on
the dashboard until the report is marked submitted (migration 0026; audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.adverse_events import AeOutcome
from mdma_at.domain.dosing.records import EntryKind, SessionEntry
from mdma_at.domain.errors import InvalidInput, NotFound
from mdma_at.domain.reports import ExpeditedRules, Period, ReportClock, expedited_clocks, period
from mdma_at.domain.staff import Principal
from mdma_at.protocols.mapp_v1.reporting import EXPEDITED
from mdma_at.services.audit import record
from mdma_at.services.ports import Clock, SafetyReportSubmission, UnitOfWork
from mdma_at.services.records import guard_visible
from mdma_at.services.register.ledger import load_books
from mdma_at.services.reports.monitoring import DoseLine, dose_lines
from mdma_at.services.reports.records import AdverseEvent, gather, generated, reader

MAX_TEXT = 200  # the submission's columns (adapters/db/tables.py)


@dataclass(frozen=True, slots=True)
class SafetyReport:
    """One CIOMS I form: the event, the patient, the suspect drug (doses of the session), the
    concomitant medications, the clocks and, once sent, the submission."""

    event: AdverseEvent
    age_years: int
    doses: tuple[DoseLine, ...]
    concomitant: tuple[str, ...]
    clocks: tuple[ReportClock, ReportClock]
    submission: SafetyReportSubmission | None

    @property
    def died(self) -> bool:
        return self.event.details.get("outcome") == AeOutcome.FATAL.value


@dataclass(frozen=True, slots=True)
class SafetyReports:
    period: Period
    generated_at: datetime
    generated_by: str
    rules: ExpeditedRules
    reports: tuple[SafetyReport, ...]


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _reports(
    uow: UnitOfWork, clock: Clock, principal: Principal, events: tuple[AdverseEvent, ...]
) -> tuple[SafetyReport, ...]:
    today = clock.now().date()
    with uow:
        books = load_books(uow)
        sent = {
            s.entry_id: s for s in uow.safety_reports.for_entries([ae.entry.id for ae in events])
        }
        found = []
        for ae in events:
            patient = ae.patient
            medications = tuple(
                f"{m.name} {m.dose}".strip()
                for m in uow.medications.for_patient(patient.id)
                if m.taken_on(ae.onset.date())
            )
            found.append(
                SafetyReport(
                    ae,
                    _age(patient.details.date_of_birth, ae.onset.date()),
                    dose_lines(uow, principal, ae.file, books),
                    medications,
                    expedited_clocks(
                        EXPEDITED,
                        ae.aware_on,
                        today,
                        fatal=ae.details.get("outcome") == AeOutcome.FATAL.value,
                    ),
                    sent.get(ae.entry.id),
                )
            )
    return tuple(found)


def safety_reports(
    uow: UnitOfWork, clock: Clock, principal: Principal, start: date, end: date
) -> SafetyReports:
    """A CIOMS I form for each serious adverse event whose onset is in [start, end].

    Raises:
        InvalidInput: ``to`` before ``from``.
        PermissionDenied: the reader may not view reports (audited).
    """
    span = period(start, end)
    records = gather(uow, clock, principal)
    generated(uow, clock, principal, "expedited-safety", span, records)
    serious = tuple(ae for ae in records.adverse_events_in(span) if ae.serious)
    return SafetyReports(
        span, clock.now(), reader(principal), EXPEDITED, _reports(uow, clock, principal, serious)
    )


def open_clocks(uow: UnitOfWork, clock: Clock, principal: Principal) -> tuple[SafetyReport, ...]:
    """Serious adverse events at the reader's sites whose expedited report is not yet marked
    submitted: the dashboard shows their clocks (nothing for a reader without reports)."""
    if not sites_for(principal, Action.VIEW_REPORTS):
        return ()
    records = gather(uow, clock, principal)
    serious = tuple(ae for ae in records.adverse_events() if ae.serious)
    return tuple(r for r in _reports(uow, clock, principal, serious) if r.submission is None)


def mark_submitted(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    entry_id: int,
    *,
    submitted_on: date,
    submitted_to: str,
    reference: str,
) -> SafetyReportSubmission:
    """Record that the expedited report of serious adverse event `entry_id` was sent.

    Raises:
        NotFound: no serious adverse event `entry_id` the reader may see.
        InvalidInput: ``submitted_on`` before the event was charted or in the future,
            ``submitted_to`` / ``reference`` blank or too long, or already marked submitted.
        PermissionDenied: the reader may not submit safety reports at the site (audited).
    """
    today = clock.now().date()
    with uow:
        entry, site_id = _serious_event(uow, entry_id)
        actor = guard_visible(
            uow,
            clock,
            principal,
            Action.SUBMIT_SAFETY_REPORT,
            site_id,
            ("adverse_event", entry_id),
            f"no serious adverse event {entry_id}",
        )
        if submitted_on > today:
            raise InvalidInput("submitted_on", f"{submitted_on.isoformat()} is in the future")
        if submitted_on < entry.recorded_at.date():
            raise InvalidInput(
                "submitted_on",
                f"{submitted_on.isoformat()} is before the event was charted "
                f"({entry.recorded_at.date().isoformat()})",
            )
        to, ref = _text(submitted_to, "submitted_to"), _text(reference, "reference")
        earlier = uow.safety_reports.for_entries([entry_id])
        if earlier:
            raise InvalidInput(
                "entry_id",
                f"adverse event {entry_id} was marked submitted on "
                f"{earlier[0].submitted_on.isoformat()}",
            )
        assert principal.user_id is not None
        stored = uow.safety_reports.add(entry_id, submitted_on, to, ref, principal.user_id,
                                        clock.now())  # fmt: skip
        record(
            uow, clock, actor, "safety_report_submitted", "adverse_event", entry_id,
            after={"submitted_on": submitted_on, "submitted_to": to, "reference": ref},
        )  # fmt: skip
        uow.commit()
    return stored


def _serious_event(uow: UnitOfWork, entry_id: int) -> tuple[SessionEntry, int]:
    """The serious adverse event (its session entry) and its patient's site."""
    missing = NotFound(f"no serious adverse event {entry_id}")
    for site in uow.sites.list():
        for patient in uow.patients.search(frozenset({site.id}), "", 1_000_000):
            for session in uow.dosing_sessions.for_patient(patient.id):
                for entry in uow.session_entries.for_session(session.id):
                    if entry.id == entry_id:
                        if entry.kind is EntryKind.ADVERSE_EVENT and entry.payload.get("serious"):
                            return entry, patient.site_id
                        raise missing
    raise missing


def _text(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(field, "is required")
    if len(value) > MAX_TEXT:
        raise InvalidInput(field, f"is longer than {MAX_TEXT} characters")
    return value
