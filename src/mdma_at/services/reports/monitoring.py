"""The per-session monitoring form (issue 17, item 4), modelled on the FDA's proposed MDMA REMS
(two providers on site, at least 8 h of monitoring, discharge to an adult: clinical-facts §6
[S35]) and the Spravato REMS patient monitoring form (patient and provider, dose and lot,
monitoring duration, vital signs, adverse events, discharge). One form per session started in
the period; the numbers it is judged by come from the session's own rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from mdma_at.domain.dosing.records import EntryKind, SessionEntry
from mdma_at.domain.patients import Patient
from mdma_at.domain.reports import Period, period
from mdma_at.domain.staff import Principal, Role
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.register.ledger import load_books
from mdma_at.services.reports.records import gather, generated, reader
from mdma_at.services.reports.visibility import shown
from mdma_at.services.sessions.recording import SessionFile
from mdma_at.services.sessions.view import everyone_present

_PROVIDERS = frozenset({Role.PHYSICIAN.value, Role.THERAPIST.value})
_DOSES = {EntryKind.REQUEST_INITIAL: "initial", EntryKind.REQUEST_SUPPLEMENTAL: "supplemental"}


@dataclass(frozen=True, slots=True)
class DoseLine:
    which: str  # initial / supplemental
    t: datetime
    mg: float
    recorded_by: str
    kit_number: str | None
    lot: str | None  # None: withheld from a blinded reader, or no kit named
    contents: str | None


@dataclass(frozen=True, slots=True)
class MonitoringForm:
    session_id: int
    patient: Patient
    session_number: int
    started_at: datetime
    closed: bool
    providers: tuple[tuple[str, str, str], ...]  # (name, role, arrived/left or "recorded")
    doses: tuple[DoseLine, ...]
    monitoring_from: datetime | None  # the initial dose
    monitoring_to: datetime | None  # the discharge (None: still in the clinic)
    minimum_monitoring: timedelta  # the protocol's, from the session's rules
    minimum_source: str
    vitals: tuple[SessionEntry, ...]
    adverse_events: tuple[SessionEntry, ...]
    discharge: SessionEntry | None  # the allowed discharge
    refused_discharges: tuple[SessionEntry, ...]

    @property
    def monitored(self) -> timedelta | None:
        if self.monitoring_from is None or self.monitoring_to is None:
            return None
        return self.monitoring_to - self.monitoring_from


@dataclass(frozen=True, slots=True)
class MonitoringForms:
    period: Period
    generated_at: datetime
    generated_by: str
    forms: tuple[MonitoringForm, ...]


def dose_lines(
    uow: UnitOfWork, principal: Principal, file: SessionFile, books: Any
) -> tuple[DoseLine, ...]:
    lines = []
    for entry in file.entries:
        if entry.kind not in _DOSES or not entry.allowed:
            continue
        kit: dict[str, Any] = entry.payload.get("kit") or {}
        movement = books.movements.get(kit.get("movement_id"))
        container = books.containers.get(movement.container_id) if movement else None
        visible = shown(
            uow, principal, file.patient.id, file.patient.site_id,
            {
                "lot": container.lot if container else None,
                "contents": container.contents.value if container else None,
            },
        )  # fmt: skip
        lines.append(
            DoseLine(
                _DOSES[entry.kind],
                entry.t,
                float(entry.payload["mg"]),
                entry.recorded_by_name,
                kit.get("kit_number"),
                visible["lot"],  # type: ignore[arg-type]
                visible["contents"],  # type: ignore[arg-type]
            )
        )
    return tuple(lines)


def monitoring_form(
    uow: UnitOfWork, principal: Principal, file: SessionFile, books: Any
) -> MonitoringForm:
    state = file.folded.state
    discharges = [e for e in file.entries if e.kind is EntryKind.REQUEST_DISCHARGE]
    allowed = next((e for e in discharges if e.allowed), None)
    present = everyone_present(file.entries)
    # Those whose arrival was charted, then the clinicians who charted entries without one:
    # the REMS asks who was on site, and charting is proof of presence.
    named = {name for name, _, _ in present}
    recorders = sorted(
        {
            (e.recorded_by_name, e.role or "", "charted entries")
            for e in file.entries
            if e.role in _PROVIDERS and e.recorded_by_name not in named
        }
    )
    providers = (*present, *recorders)
    return MonitoringForm(
        file.session.id,
        file.patient,
        file.session.session_number,
        file.session.started_at,
        file.session.closed,
        providers,
        dose_lines(uow, principal, file, books),
        state.initial.t if state.initial else None,
        state.discharged_at,
        file.rules.discharge.min_after_initial.value,
        str(file.rules.discharge.min_after_initial.source),
        tuple(e for e in file.entries if e.kind is EntryKind.VITALS),
        tuple(e for e in file.entries if e.kind is EntryKind.ADVERSE_EVENT),
        allowed,
        tuple(e for e in discharges if not e.allowed),
    )


def monitoring_forms(
    uow: UnitOfWork, clock: Clock, principal: Principal, start: date, end: date
) -> MonitoringForms:
    """A monitoring form for each dosing session started in [start, end] at the reader's sites.

    Raises:
        InvalidInput: ``to`` before ``from``.
        PermissionDenied: the reader may not view reports (audited).
    """
    span = period(start, end)
    records = gather(uow, clock, principal)
    generated(uow, clock, principal, "session-monitoring", span, records)
    with uow:
        books = load_books(uow)
        forms = tuple(
            monitoring_form(uow, principal, file, books) for _, file in records.sessions_in(span)
        )
    return MonitoringForms(span, clock.now(), reader(principal), forms)
