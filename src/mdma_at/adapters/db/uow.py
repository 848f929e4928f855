"""The SQLAlchemy unit of work: one connection, one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from mdma_at.adapters.db.instruments_repositories import (
    SqlAdministrations,
    SqlQuestionnaireLinks,
    SqlSafetyAlerts,
)
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
from mdma_at.adapters.db.screening_repositories import SqlConsents, SqlScreenings
from mdma_at.adapters.db.session_repositories import (
    SqlDosingSessionEntries,
    SqlDosingSessions,
)


class SqlUnitOfWork:
    """Re-entrant: a service that opens it inside another service's block shares the transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._depth = 0

    def __enter__(self) -> Self:
        self._depth += 1
        if self._connection is None:
            self._connection = db = self._engine.connect()  # autobegins on first statement
            self.sites = SqlSites(db)
            self.staff = SqlStaff(db)
            self.credentials = SqlCredentials(db)
            self.login_attempts = SqlLoginAttempts(db)
            self.patients = SqlPatients(db)
            self.enrolments = SqlEnrolments(db)
            self.visits = SqlVisits(db)
            self.deviations = SqlDeviations(db)
            self.audit = SqlAuditLog(db)
            self.dosing_sessions = SqlDosingSessions(db)
            self.session_entries = SqlDosingSessionEntries(db)
            self.screenings = SqlScreenings(db)
            self.consents = SqlConsents(db)
            self.questionnaire_links = SqlQuestionnaireLinks(db)
            self.administrations = SqlAdministrations(db)
            self.safety_alerts = SqlSafetyAlerts(db)
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

    def commit(self) -> None:
        assert self._connection is not None, "commit outside `with uow:`"
        self._connection.commit()

    def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()
