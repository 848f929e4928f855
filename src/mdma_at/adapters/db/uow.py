"""The SQLAlchemy unit of work: one connection, one transaction, rolled back unless committed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Self, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine

from mdma_at.adapters.audit_checkpoints import CheckpointLog
from mdma_at.adapters.db.booking_repositories import SqlBookings
from mdma_at.adapters.db.engine import READ_ONLY
from mdma_at.adapters.db.instruments_repositories import (
    SqlAdministrations,
    SqlQuestionnaireLinks,
    SqlSafetyAlerts,
)
from mdma_at.adapters.db.page_repository import SqlPages
from mdma_at.adapters.db.register_repositories import SqlRegister
from mdma_at.adapters.db.report_repositories import SqlSafetyReports
from mdma_at.adapters.db.repositories import (
    SqlAuditLog,
    SqlCredentials,
    SqlDeviations,
    SqlEnrolments,
    SqlLoginAttempts,
    SqlPatients,
    SqlSites,
    SqlStaff,
    SqlVisits,
)
from mdma_at.adapters.db.research_repository import SqlResearchKeys
from mdma_at.adapters.db.screening_repositories import SqlConsents, SqlScreenings
from mdma_at.adapters.db.seals import unsealed
from mdma_at.adapters.db.session_repositories import (
    SqlDosingSessionEntries,
    SqlDosingSessions,
)
from mdma_at.adapters.db.site_protocol_repository import SqlSiteProtocol
from mdma_at.adapters.db.therapy_repositories import SqlCheckIns, SqlTherapyNotes
from mdma_at.adapters.db.trial_repositories import SqlStudies, SqlTrialConduct
from mdma_at.adapters.db.workup_repositories import SqlAllergies, SqlConcomitantMedications
from mdma_at.domain.audit import Checkpoint, seal_content, utc_stamp
from mdma_at.domain.events import DomainEvent
from mdma_at.services.events import EventCollector
from mdma_at.services.ports import UnitOfWork
from mdma_at.services.register.kept import BooksStore
from mdma_at.services.sessions.folds import FoldStore

log = logging.getLogger(__name__)

# What is kept between transactions for each engine's database, shared by every unit of work on
# it: the session folds (services.sessions.folds) and the register's books (services.register.kept).
_FOLDS: WeakKeyDictionary[Engine, FoldStore] = WeakKeyDictionary()
_BOOKS: WeakKeyDictionary[Engine, BooksStore] = WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()
K = TypeVar("K", FoldStore, BooksStore)


def _kept_for(kept: WeakKeyDictionary[Engine, K], engine: Engine, make: Callable[[], K]) -> K:
    with _KEPT_LOCK:
        found = kept.get(engine)
        if found is None:
            found = kept[engine] = make()
        return found


def _folds_of(engine: Engine) -> FoldStore:
    return _kept_for(_FOLDS, engine, FoldStore)


def _books_of(engine: Engine) -> BooksStore:
    return _kept_for(_BOOKS, engine, BooksStore)


class SqlUnitOfWork(UnitOfWork):  # declared, so mypy checks every repository against its port
    """Re-entrant: a service that opens it inside another service's block shares the transaction.

    On commit it seals the append-only rows no audit event has sealed yet, and after the commit
    it signs a checkpoint over the events the transaction appended (when given a checkpoint log).
    The domain events emitted before a commit go to `dispatch` when the outermost block ends,
    after the connection is closed (ADR 0009).
    """

    def __init__(
        self,
        engine: Engine,
        checkpoints: CheckpointLog | None = None,
        dispatch: Callable[[Sequence[DomainEvent]], None] | None = None,
    ) -> None:
        self._engine = engine
        self._checkpoints = checkpoints
        self._dispatch = dispatch
        self._events = EventCollector()
        self._connection: Connection | None = None
        self._depth = 0
        self._read_only = False
        self.folds = _folds_of(engine)
        self.kept_books = _books_of(engine)

    def __enter__(self) -> Self:
        self._depth += 1
        if self._connection is None:
            self._connection = db = self._engine.connect()  # autobegins on first statement
            if self._read_only:
                # SQLite: BEGIN (deferred) instead of IMMEDIATE (`engine.make_engine`);
                # PostgreSQL: BEGIN READ ONLY, sent by psycopg with its BEGIN
                db.execution_options(**{READ_ONLY: True, "postgresql_readonly": True})
            unsealed(db).clear()
            self.sites = SqlSites(db)
            self.staff = SqlStaff(db)
            self.credentials = SqlCredentials(db)
            self.login_attempts = SqlLoginAttempts(db)
            self.patients = SqlPatients(db)
            self.enrolments = SqlEnrolments(db)
            self.visits = SqlVisits(db)
            self.bookings = SqlBookings(db)
            self.deviations = SqlDeviations(db)
            self.audit = SqlAuditLog(db)
            self.dosing_sessions = SqlDosingSessions(db)
            self.session_entries = SqlDosingSessionEntries(db)
            self.screenings = SqlScreenings(db)
            self.consents = SqlConsents(db)
            self.questionnaire_links = SqlQuestionnaireLinks(db)
            self.administrations = SqlAdministrations(db)
            self.safety_alerts = SqlSafetyAlerts(db)
            self.pages = SqlPages(db)
            self.register = SqlRegister(db)
            self.site_protocol = SqlSiteProtocol(db)
            self.medications = SqlConcomitantMedications(db)
            self.allergies = SqlAllergies(db)
            self.therapy_notes = SqlTherapyNotes(db)
            self.check_ins = SqlCheckIns(db)
            self.studies = SqlStudies(db)
            self.research_keys = SqlResearchKeys(db)
            self.safety_reports = SqlSafetyReports(db)
            self.trial_conduct = SqlTrialConduct(db)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0 and self._connection is not None:
            self.rollback()  # no-op after a commit
            self._connection.close()
            self._connection = None
            self._read_only = False
            # Committed work stands even if the block raised after its commit: its events go out.
            events = self._events.take_committed()
            if events and self._dispatch is not None:
                self._dispatch(events)

    def reading(self) -> Self:
        if self._connection is None:
            self._read_only = True
        return self

    def emit(self, event: DomainEvent) -> None:
        self._events.emit(event)

    def collected_events(self) -> Sequence[DomainEvent]:
        return self._events.collected()

    def commit(self) -> None:
        assert self._connection is not None, "commit outside `with uow:`"
        if unsealed(self._connection):
            self.audit.append(seal_content(self.audit.last_content, datetime.now(UTC)))
        batch = self.audit.batch
        self._connection.commit()
        self._events.committed()
        self.audit.batch = None
        if batch is not None and self._checkpoints is not None:
            (start, start_hash), (end, end_hash) = batch
            stamp = utc_stamp(datetime.now(UTC))
            try:
                self._checkpoints.append(
                    Checkpoint(start, start_hash, end, end_hash, stamp, "write")
                )
            except OSError:
                # The write is committed: failing the request now would invite a duplicate.
                # The range stays unsigned, and `audit verify` names it (ADR 0105).
                log.exception("audit checkpoint for events %d..%d not written", start + 1, end)

    def rollback(self) -> None:
        if self._connection is None:
            return
        unsealed(self._connection).clear()
        self._events.rolled_back()
        self.audit.batch = None
        if self._connection.in_transaction():
            self._connection.rollback()
