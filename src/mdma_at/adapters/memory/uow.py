"""The in-memory unit of work: one transaction over a `MemoryDatabase`, as SqlUnitOfWork is one
over a connection (re-entrant, nothing kept unless committed, rows sealed on commit)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from mdma_at.adapters.memory.bookings import MemoryBookings
from mdma_at.adapters.memory.clinical import (
    MemoryAdministrations,
    MemoryConsents,
    MemoryDosingSessions,
    MemoryPages,
    MemoryQuestionnaireLinks,
    MemorySafetyAlerts,
    MemoryScreenings,
    MemorySessionEntries,
)
from mdma_at.adapters.memory.register import MemoryRegister
from mdma_at.adapters.memory.reports import MemorySafetyReports
from mdma_at.adapters.memory.repositories import (
    MemoryAuditLog,
    MemoryCredentials,
    MemoryDeviations,
    MemoryEnrolments,
    MemoryLoginAttempts,
    MemoryPatients,
    MemorySiteProtocol,
    MemorySites,
    MemoryStaff,
    MemoryVisits,
)
from mdma_at.adapters.memory.research import MemoryResearchKeys
from mdma_at.adapters.memory.store import MemoryDatabase, Transaction
from mdma_at.adapters.memory.therapy import MemoryCheckIns, MemoryTherapyNotes
from mdma_at.adapters.memory.trials import MemoryStudies, MemoryTrialConduct
from mdma_at.adapters.memory.workup import MemoryAllergies, MemoryConcomitantMedications
from mdma_at.domain.audit import seal_content
from mdma_at.domain.events import DomainEvent
from mdma_at.services.events import EventCollector
from mdma_at.services.ports import UnitOfWork


class MemoryUnitOfWork(UnitOfWork):  # declared, so mypy checks every repository against its port
    """Re-entrant: a service that opens it inside another service's block shares the transaction.

    Commit writes the transaction's rows into the database (sealing append-only rows no audit
    event has sealed yet, as SQL does) and starts a new transaction on what is now committed;
    leaving the outermost block without committing drops everything since the last commit.
    """

    def __init__(
        self,
        database: MemoryDatabase,
        dispatch: Callable[[Sequence[DomainEvent]], None] | None = None,
    ) -> None:
        self._database = database
        self._dispatch = dispatch
        self._events = EventCollector()
        self._tx: Transaction | None = None
        self._depth = 0
        self._read_only = False
        self.folds = database.folds
        self.kept_books = database.kept_books

    def __enter__(self) -> Self:
        self._depth += 1
        if self._tx is None:
            self._begin()
        return self

    def _begin(self) -> None:
        self._tx = tx = Transaction(self._database)
        self.sites = MemorySites(tx)
        self.staff = MemoryStaff(tx)
        self.credentials = MemoryCredentials(tx)
        self.login_attempts = MemoryLoginAttempts(tx)
        self.patients = MemoryPatients(tx)
        self.enrolments = MemoryEnrolments(tx)
        self.visits = MemoryVisits(tx)
        self.bookings = MemoryBookings(tx)
        self.deviations = MemoryDeviations(tx)
        self.audit = MemoryAuditLog(tx)
        self.dosing_sessions = MemoryDosingSessions(tx)
        self.session_entries = MemorySessionEntries(tx)
        self.screenings = MemoryScreenings(tx)
        self.consents = MemoryConsents(tx)
        self.questionnaire_links = MemoryQuestionnaireLinks(tx)
        self.administrations = MemoryAdministrations(tx)
        self.safety_alerts = MemorySafetyAlerts(tx)
        self.pages = MemoryPages(tx)
        self.register = MemoryRegister(tx)
        self.site_protocol = MemorySiteProtocol(tx)
        self.medications = MemoryConcomitantMedications(tx)
        self.allergies = MemoryAllergies(tx)
        self.therapy_notes = MemoryTherapyNotes(tx)
        self.check_ins = MemoryCheckIns(tx)
        self.studies = MemoryStudies(tx)
        self.research_keys = MemoryResearchKeys(tx)
        self.safety_reports = MemorySafetyReports(tx)
        self.trial_conduct = MemoryTrialConduct(tx)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._tx = None  # uncommitted writes go with it
            self._read_only = False
            self._events.rolled_back()
            # as SqlUnitOfWork: committed work's events go out when the outermost block ends
            events = self._events.take_committed()
            if events and self._dispatch is not None:
                self._dispatch(events)

    def emit(self, event: DomainEvent) -> None:
        self._events.emit(event)

    def collected_events(self) -> Sequence[DomainEvent]:
        return self._events.collected()

    def reading(self) -> Self:
        if self._tx is None:
            self._read_only = True
        return self

    def commit(self) -> None:
        assert self._tx is not None, "commit outside `with uow:`"
        assert not self._read_only, "commit in a unit of work opened with `reading()`"
        if self._tx.unsealed:
            self.audit.append(seal_content(self.audit.last_content, datetime.now(UTC)))
        self._tx.commit()
        self._events.committed()
        self._begin()  # as after a SQL commit: the block goes on in a new transaction

    def rollback(self) -> None:
        self._events.rolled_back()
        if self._tx is not None:
            self._begin()
