"""The clinic's records a report reads, gathered once for the reader's sites (issue 17, item 4).

Every session is loaded through `load_session` (the reader's right to see it is checked there,
and the rules' fold says which doses count as given); doses given are the folded state's, never
re-derived here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mdma_at.domain.dosing.records import EntryKind, SessionEntry
from mdma_at.domain.patients import Patient
from mdma_at.domain.reports import Period
from mdma_at.domain.schedule.records import Enrolment, ProtocolDeviation, Visit, VisitStatus
from mdma_at.domain.staff import Principal
from mdma_at.services.audit import Actor, record
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.reports.visibility import report_sites
from mdma_at.services.sessions.recording import SessionFile, load_session

EVERY_PATIENT = 1_000_000  # the patient search's page size, large enough for a clinic's roll


@dataclass(frozen=True, slots=True)
class PatientRecord:
    patient: Patient
    enrolments: tuple[Enrolment, ...]
    visits: tuple[Visit, ...]
    deviations: tuple[ProtocolDeviation, ...]
    sessions: tuple[SessionFile, ...]

    def dosing_days(self) -> tuple[date, ...]:
        """The days MDMA was given: each charted session's initial dose, and each dosing visit
        recorded as held without a charted session (a session kept on paper)."""
        charted = {f.session.visit_id for f in self.sessions}
        days = {
            f.folded.state.initial.t.date()
            for f in self.sessions
            if f.folded.state.initial is not None
        }
        days |= {
            v.held_on
            for v in self.visits
            if v.dosing_number and v.held_on is not None and v.id not in charted
        }
        return tuple(sorted(days))

    def course_completed_on(self, span: Period) -> date | None:
        """The day of the programme's last dosing session, when it falls in `span`: the highest
        dosing number of an enrolment's schedule (three in mapp_v1), given in a charted session
        or recorded as held."""
        for enrolment in self.enrolments:
            dosing = [v for v in self.visits if v.enrolment_id == enrolment.id and v.dosing_number]
            if not dosing:
                continue
            last = max(dosing, key=lambda v: v.dosing_number or 0)
            charted = next((f for f in self.sessions if f.session.visit_id == last.id), None)
            given = charted.folded.state.initial if charted is not None else None
            day = given.t.date() if given is not None else last.held_on
            if day is not None and span.holds(day):
                return day
        return None


@dataclass(frozen=True, slots=True)
class AdverseEvent:
    """An adverse event as charted in a session, with what the reports need about it."""

    patient: Patient
    file: SessionFile
    entry: SessionEntry

    @property
    def details(self) -> dict[str, Any]:
        return self.entry.payload

    @property
    def serious(self) -> bool:
        return bool(self.entry.payload.get("serious"))

    @property
    def aware_on(self) -> date:
        """The clinic knew of it when it was charted (the day its clocks start from)."""
        return self.entry.recorded_at.date()

    @property
    def onset(self) -> datetime:
        raw = self.entry.payload.get("onset")
        return datetime.fromisoformat(raw) if isinstance(raw, str) else self.entry.t


@dataclass(frozen=True, slots=True)
class ClinicRecords:
    sites: frozenset[int]
    site_names: dict[int, str]
    patients: tuple[PatientRecord, ...]

    def adverse_events(self) -> Iterator[AdverseEvent]:
        for rec in self.patients:
            for file in rec.sessions:
                for entry in file.entries:
                    if entry.kind is EntryKind.ADVERSE_EVENT:
                        yield AdverseEvent(rec.patient, file, entry)

    def adverse_events_in(self, period: Period) -> tuple[AdverseEvent, ...]:
        return tuple(ae for ae in self.adverse_events() if period.holds(ae.onset.date()))

    def sessions_in(self, period: Period) -> tuple[tuple[PatientRecord, SessionFile], ...]:
        return tuple(
            (record, file)
            for record in self.patients
            for file in record.sessions
            if period.holds(file.session.started_at.date())
        )


def gather(uow: UnitOfWork, clock: Clock, principal: Principal) -> ClinicRecords:
    """Every patient at the reader's report sites, with their programme and sessions.

    Raises:
        PermissionDenied: the reader may not view reports anywhere (audited).
    """
    sites = report_sites(uow, clock, principal)
    with uow:
        names = {s.id: s.name for s in uow.sites.list() if s.id in sites}
        found = []
        for patient in uow.patients.search(sites, "", EVERY_PATIENT):
            enrolments = tuple(uow.enrolments.for_patient(patient.id))
            visits = tuple(v for e in enrolments for v in uow.visits.for_enrolment(e.id))
            deviations = tuple(d for e in enrolments for d in uow.deviations.for_enrolment(e.id))
            sessions = tuple(
                load_session(uow, clock, principal, s.id)
                for s in uow.dosing_sessions.for_patient(patient.id)
            )
            found.append(PatientRecord(patient, enrolments, visits, deviations, sessions))
    return ClinicRecords(sites, names, tuple(found))


def reader(principal: Principal) -> str:
    """The generating user as a report prints them."""
    return f"{principal.full_name} ({principal.username})"


def generated(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    name: str,
    span: Period,
    records: ClinicRecords,
) -> None:
    """Audit that `principal` produced report `name` over `span` (reports leave the system)."""
    actor = Actor(principal.user_id, principal.username)
    with uow:
        record(
            uow, clock, actor, "report_generated", "report", name,
            after={"from": span.start, "to": span.end, "sites": sorted(records.sites)},
        )  # fmt: skip
        uow.commit()


def held_in(record: PatientRecord, period: Period) -> tuple[Visit, ...]:
    return tuple(
        v
        for v in record.visits
        if v.status is VisitStatus.HELD and v.held_on is not None and period.holds(v.held_on)
    )
