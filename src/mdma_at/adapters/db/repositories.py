"""Repositories: SQL on one side, domain records on the other. Rows never leave this module."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Insert,
    Row,
    Table,
    and_,
    bindparam,
    exc,
    func,
    insert,
    or_,
    select,
    update,
)

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.seals import seal_digests, stored_digests, unsealed
from mdma_at.adapters.sealed import SEALED_TABLE_NAMES
from mdma_at.domain.audit import (
    GENESIS_HASH,
    AuditContent,
    AuditEvent,
    chain_hash,
    sealed_rows_json,
)
from mdma_at.domain.errors import DuplicateKey, IntegrityError
from mdma_at.domain.patients import Patient, PatientDetails
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.schedule.planning import PlannedVisit
from mdma_at.domain.schedule.records import (
    Enrolment,
    EnrolmentStatus,
    ProtocolDeviation,
    Visit,
    VisitStatus,
)
from mdma_at.domain.staff import Role, Site, StaffMember
from mdma_at.domain.vocabulary import Sex
from mdma_at.services.ports import ApiTokenRecord, Credential

# The reads every use case makes many times, built once: their compiled forms and cache keys
# are reused (a statement built per call cost more than SQLite's own work; see `_insert`).
_MEMBER = select(t.users).where(t.users.c.id == bindparam("id"))
# every request looks up its login session or its API token by the secret's hash
_LOGIN_SESSION = select(t.login_sessions).where(
    t.login_sessions.c.token_hash == bindparam("token_hash")
)
_API_TOKEN = select(t.api_tokens).where(t.api_tokens.c.token_hash == bindparam("token_hash"))
# a member and their grants, one row per grant (one row of NULL grant columns for none)
_MEMBER_WITH_ROLES = (
    select(t.users, t.role_grants.c.site_id, t.role_grants.c.role)
    .outerjoin(t.role_grants, t.role_grants.c.user_id == t.users.c.id)
    .where(t.users.c.id == bindparam("id"))
)
_PATIENT = select(t.patients).where(t.patients.c.id == bindparam("id"))
_VISIT = select(t.visits).where(t.visits.c.id == bindparam("id"))
_ENROLMENT_VISITS = (
    select(t.visits)
    .where(t.visits.c.enrolment_id == bindparam("enrolment_id"))
    .order_by(t.visits.c.sequence)
)
_PATIENT_ENROLMENTS = (
    select(t.enrolments)
    .where(t.enrolments.c.patient_id == bindparam("patient_id"))
    .order_by(t.enrolments.c.id)
)


class _Repository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def _insert(self, table: Table, **values: Any) -> int:
        # The values go as parameters of the table's one INSERT, not into a new statement each
        # time: SQLAlchemy then compiles it once per set of columns and reuses it (building and
        # keying a statement per row cost more than the database's own work).
        try:
            key = self._db.execute(_insert_into(table), values).inserted_primary_key
        except exc.IntegrityError as error:
            if _is_duplicate_key(error):
                raise DuplicateKey(table.name) from error
            raise
        assert key is not None
        if table.name in SEALED_TABLE_NAMES:
            unsealed(self._db).append((table.name, int(key[0])))
        return int(key[0])

    def _insert_many(self, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert `rows` (each with the same columns) in one statement; their ids in order."""
        if not rows:
            return []
        try:
            result = self._db.execute(
                _insert_into(table).returning(table.c.id, sort_by_parameter_order=True), rows
            )
        except exc.IntegrityError as error:
            if _is_duplicate_key(error):
                raise DuplicateKey(table.name) from error
            raise
        ids = [int(row_id) for row_id in result.scalars()]
        if table.name in SEALED_TABLE_NAMES:
            unsealed(self._db).extend((table.name, row_id) for row_id in ids)
        return ids


@cache
def _insert_into(table: Table) -> Insert:
    return insert(table)


def _is_duplicate_key(error: exc.IntegrityError) -> bool:
    """A unique key repeated, as opposed to a foreign key or NOT NULL broken (bugs, left as
    they are): PostgreSQL's SQLSTATE 23505, SQLite's unique constraint, or on an append-only
    table SQLite's trigger that refuses an insert whose key exists (migration 0005)."""
    driver_error = error.orig
    if getattr(driver_error, "sqlstate", None) == "23505":
        return True
    name = getattr(driver_error, "sqlite_errorname", None)
    return name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY") or (
        name == "SQLITE_CONSTRAINT_TRIGGER" and "overwriting a row refused" in str(driver_error)
    )


class SqlSites(_Repository):
    def add(self, code: str, name: str, timezone: str = "UTC") -> Site:
        return Site(
            self._insert(t.sites, code=code, name=name, timezone=timezone), code, name, timezone
        )

    def get(self, site_id: int) -> Site | None:
        row = self._db.execute(select(t.sites).where(t.sites.c.id == site_id)).first()
        return _site(row) if row else None

    def by_code(self, code: str) -> Site | None:
        row = self._db.execute(select(t.sites).where(t.sites.c.code == code)).first()
        return _site(row) if row else None

    def list(self) -> Sequence[Site]:
        rows = self._db.execute(select(t.sites).order_by(t.sites.c.code))
        return [_site(row) for row in rows]

    def update(self, site_id: int, **values: object) -> Site:
        """Change the time zone, on-call physician or re-page interval (the service audits it)."""
        self._db.execute(update(t.sites).where(t.sites.c.id == site_id).values(**values))
        site = self.get(site_id)
        assert site is not None
        return site


def _site(row: Any) -> Site:
    return Site(
        row.id,
        row.code,
        row.name,
        row.timezone,
        row.on_call_name,
        row.on_call_email,
        row.repage_minutes,
    )


class SqlStaff(_Repository):
    def add(self, username: str, full_name: str, password_hash: str) -> StaffMember:
        user_id = self._insert(
            t.users,
            username=username,
            full_name=full_name,
            password_hash=password_hash,
            active=True,
        )
        return StaffMember(user_id, username, full_name, True)

    def get(self, user_id: int) -> StaffMember | None:
        row = self._db.execute(_MEMBER, {"id": user_id}).first()
        return _member(row) if row else None

    def by_username(self, username: str) -> tuple[StaffMember, str] | None:
        row = self._db.execute(select(t.users).where(t.users.c.username == username)).first()
        return (_member(row), row.password_hash) if row else None

    def grant(self, user_id: int, site_id: int, role: Role) -> None:
        self._insert(t.role_grants, user_id=user_id, site_id=site_id, role=role.value)

    def roles(self, user_id: int) -> dict[int, frozenset[Role]]:
        rows = self._db.execute(select(t.role_grants).where(t.role_grants.c.user_id == user_id))
        return _grants(rows)

    def with_roles(self, user_id: int) -> tuple[StaffMember, dict[int, frozenset[Role]]] | None:
        rows = self._db.execute(_MEMBER_WITH_ROLES, {"id": user_id}).all()
        if not rows:
            return None
        return _member(rows[0]), _grants(row for row in rows if row.role is not None)

    def count(self) -> int:
        return int(self._db.execute(select(func.count()).select_from(t.users)).scalar_one())

    def set_active(self, user_id: int, active: bool) -> None:
        self._db.execute(update(t.users).where(t.users.c.id == user_id).values(active=active))

    def list(self) -> Sequence[StaffMember]:
        return [
            _member(row) for row in self._db.execute(select(t.users).order_by(t.users.c.username))
        ]


def _member(row: Row[Any]) -> StaffMember:
    return StaffMember(row.id, row.username, row.full_name, row.active)


def _grants(rows: Iterable[Row[Any]]) -> dict[int, frozenset[Role]]:
    grants: dict[int, set[Role]] = {}
    for row in rows:
        grants.setdefault(row.site_id, set()).add(Role(row.role))
    return {site: frozenset(roles) for site, roles in grants.items()}


class SqlCredentials(_Repository):
    def add_session(
        self,
        user_id: int,
        token_hash: str,
        csrf_token: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> Credential:
        credential_id = self._insert(
            t.login_sessions,
            user_id=user_id,
            token_hash=token_hash,
            csrf_token=csrf_token,
            created_at=created_at,
            expires_at=expires_at,
        )
        return Credential(credential_id, user_id, created_at, expires_at, None, csrf_token)

    def session(self, token_hash: str) -> Credential | None:
        row = self._db.execute(_LOGIN_SESSION, {"token_hash": token_hash}).first()
        return (
            Credential(
                row.id, row.user_id, row.created_at, row.expires_at, row.revoked_at, row.csrf_token
            )
            if row
            else None
        )

    def touch_session(self, credential_id: int, expires_at: datetime) -> None:
        self._db.execute(
            update(t.login_sessions)
            .where(t.login_sessions.c.id == credential_id)
            .values(expires_at=expires_at)
        )

    def revoke_session(self, credential_id: int, at: datetime) -> None:
        self._db.execute(
            update(t.login_sessions)
            .where(t.login_sessions.c.id == credential_id)
            .values(revoked_at=at)
        )

    def add_api_token(
        self, user_id: int, name: str, token_hash: str, created_at: datetime, expires_at: datetime
    ) -> Credential:
        credential_id = self._insert(
            t.api_tokens,
            user_id=user_id,
            name=name,
            token_hash=token_hash,
            created_at=created_at,
            expires_at=expires_at,
        )
        return Credential(credential_id, user_id, created_at, expires_at, None)

    def api_token(self, token_hash: str) -> Credential | None:
        row = self._db.execute(_API_TOKEN, {"token_hash": token_hash}).first()
        return (
            Credential(row.id, row.user_id, row.created_at, row.expires_at, row.revoked_at)
            if row
            else None
        )

    def api_tokens_of(self, user_id: int) -> Sequence[ApiTokenRecord]:
        c = t.api_tokens.c
        rows = self._db.execute(select(t.api_tokens).where(c.user_id == user_id).order_by(c.id))
        return [_api_token(row) for row in rows]

    def api_token_by_id(self, token_id: int) -> ApiTokenRecord | None:
        row = self._db.execute(select(t.api_tokens).where(t.api_tokens.c.id == token_id)).first()
        return _api_token(row) if row else None

    def revoke_api_token(self, token_id: int, at: datetime) -> None:
        c = t.api_tokens.c
        self._db.execute(
            update(t.api_tokens)
            .where(c.id == token_id, c.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    def revoke_all_of(self, user_id: int, at: datetime) -> tuple[int, int]:
        """Revoke every open session and API token of a user: (sessions, tokens) revoked."""
        counts = []
        for table in (t.login_sessions, t.api_tokens):
            result = self._db.execute(
                update(table)
                .where(table.c.user_id == user_id, table.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
            counts.append(result.rowcount)
        return counts[0], counts[1]


def _api_token(row: Row[Any]) -> ApiTokenRecord:
    return ApiTokenRecord(
        row.id, row.user_id, row.name, row.created_at, row.expires_at, row.revoked_at
    )


class SqlLoginAttempts(_Repository):
    def add(self, username: str, address: str, at: datetime, succeeded: bool) -> None:
        self._insert(
            t.login_attempts,
            username=username[:64],
            address=address[:64],
            at=at,
            succeeded=succeeded,
        )

    def failure_streak(
        self, *, since: datetime, username: str | None = None, address: str | None = None
    ) -> tuple[int, datetime | None]:
        """Failures since `since` and the time of the latest: what the sign-in delay grows with.

        For an account, only the failures after its last success count (the owner signing in
        resets it); for an address, all of them (an attacker's own good account resets nothing).
        """
        c = t.login_attempts.c
        scope = [c.username == username] if username is not None else []
        scope += [c.address == address] if address is not None else []
        last_success = None
        if username is not None:
            last_success = self._db.execute(
                select(func.max(c.at)).where(c.succeeded.is_(True), c.at >= since, *scope)
            ).scalar_one()
        start = max(since, last_success) if last_success is not None else since
        count, latest = self._db.execute(
            select(func.count(), func.max(c.at)).where(
                c.succeeded.is_(False), c.at >= start, *scope
            )
        ).one()
        return int(count), _aware(latest)


class SqlPatients(_Repository):
    def add(self, site_id: int, details: PatientDetails) -> Patient:
        patient_id = self._insert(t.patients, site_id=site_id, **_details_values(details))
        return Patient(patient_id, site_id, details)

    def get(self, patient_id: int) -> Patient | None:
        row = self._db.execute(_PATIENT, {"id": patient_id}).first()
        return _patient(row) if row else None

    def by_study_id(self, study_id: str) -> Patient | None:
        row = self._db.execute(select(t.patients).where(t.patients.c.study_id == study_id)).first()
        return _patient(row) if row else None

    def search(
        self, site_ids: frozenset[int], text: str = "", limit: int = 200
    ) -> Sequence[Patient]:
        c = t.patients.c
        query = select(t.patients).where(c.site_id.in_(site_ids)).order_by(c.study_id).limit(limit)
        if text:
            pattern = f"%{text.lower()}%"
            query = query.where(
                or_(func.lower(c.study_id).like(pattern), func.lower(c.name).like(pattern))
            )
        return [_patient(row) for row in self._db.execute(query)]


def _details_values(details: PatientDetails) -> dict[str, Any]:
    return {
        "study_id": details.study_id,
        "name": details.name,
        "date_of_birth": details.date_of_birth,
        "sex": details.sex.value,
        "phone": details.phone,
        "email": details.email,
        "emergency_contact_name": details.emergency_contact_name,
        "emergency_contact_phone": details.emergency_contact_phone,
    }


def _patient(row: Any) -> Patient:
    details = PatientDetails(
        row.study_id,
        row.name,
        row.date_of_birth,
        Sex(row.sex),
        row.phone,
        row.email,
        row.emergency_contact_name,
        row.emergency_contact_phone,
    )
    return Patient(row.id, row.site_id, details)


class SqlEnrolments(_Repository):
    def add(self, patient_id: int, protocol: str, enrolled_on: date) -> Enrolment:
        enrolment_id = self._insert(
            t.enrolments,
            patient_id=patient_id,
            protocol=protocol,
            enrolled_on=enrolled_on,
            status=EnrolmentStatus.ACTIVE.value,
        )
        return Enrolment(enrolment_id, patient_id, protocol, enrolled_on, EnrolmentStatus.ACTIVE)

    def get(self, enrolment_id: int) -> Enrolment | None:
        row = self._db.execute(
            select(t.enrolments).where(t.enrolments.c.id == enrolment_id)
        ).first()
        return _enrolment(row) if row else None

    def for_patient(self, patient_id: int) -> Sequence[Enrolment]:
        rows = self._db.execute(_PATIENT_ENROLMENTS, {"patient_id": patient_id})
        return [_enrolment(row) for row in rows]

    def withdraw(self, enrolment_id: int, on: date, reason: str) -> Enrolment:
        self._db.execute(
            update(t.enrolments)
            .where(t.enrolments.c.id == enrolment_id)
            .values(
                status=EnrolmentStatus.WITHDRAWN.value, withdrawn_on=on, withdrawal_reason=reason
            )
        )
        enrolment = self.get(enrolment_id)
        assert enrolment is not None
        return enrolment


def _enrolment(row: Row[Any]) -> Enrolment:
    return Enrolment(
        row.id,
        row.patient_id,
        row.protocol,
        row.enrolled_on,
        EnrolmentStatus(row.status),
        row.withdrawn_on,
        row.withdrawal_reason,
    )


class SqlVisits(_Repository):
    def add_planned(self, enrolment_id: int, visit: PlannedVisit) -> Visit:
        visit_id = self._insert(
            t.visits,
            enrolment_id=enrolment_id,
            code=visit.code,
            kind=visit.kind.value,
            label=visit.label,
            sequence=visit.sequence,
            dosing_number=visit.dosing_number,
            status=VisitStatus.PLANNED.value,
            rescheduled=False,
            **_plan_values(visit),
        )
        return self._get(visit_id)

    def get(self, visit_id: int) -> Visit | None:
        row = self._db.execute(_VISIT, {"id": visit_id}).first()
        return _visit(row) if row else None

    def _get(self, visit_id: int) -> Visit:
        visit = self.get(visit_id)
        assert visit is not None
        return visit

    def for_enrolment(self, enrolment_id: int) -> Sequence[Visit]:
        rows = self._db.execute(_ENROLMENT_VISITS, {"enrolment_id": enrolment_id})
        return [_visit(row) for row in rows]

    def replan(self, visit_id: int, visit: PlannedVisit, *, rescheduled: bool) -> Visit:
        self._db.execute(
            update(t.visits)
            .where(t.visits.c.id == visit_id)
            .values(rescheduled=rescheduled, **_plan_values(visit))
        )
        return self._get(visit_id)

    def mark_held(self, visit_id: int, held_on: date) -> Visit:
        self._db.execute(
            update(t.visits)
            .where(t.visits.c.id == visit_id)
            .values(status=VisitStatus.HELD.value, held_on=held_on)
        )
        return self._get(visit_id)

    def set_status(self, visit_id: int, status: VisitStatus) -> Visit:
        self._db.execute(
            update(t.visits).where(t.visits.c.id == visit_id).values(status=status.value)
        )
        return self._get(visit_id)

    def planned_between(
        self, site_ids: frozenset[int], start: date, end: date
    ) -> Sequence[tuple[Patient, Visit]]:
        v = t.visits.c
        return self._planned_with_patients(
            site_ids, and_(v.planned_date >= start, v.planned_date <= end)
        )

    def overdue(self, site_ids: frozenset[int], today: date) -> Sequence[tuple[Patient, Visit]]:
        return self._planned_with_patients(site_ids, t.visits.c.window_end < today)

    def _planned_with_patients(
        self, site_ids: frozenset[int], condition: Any
    ) -> Sequence[tuple[Patient, Visit]]:
        """Planned visits of active enrolments at `site_ids` meeting `condition`, by date."""
        v, e, p = t.visits.c, t.enrolments.c, t.patients.c
        query = (
            select(t.visits, *[col.label(f"p_{col.name}") for col in t.patients.c])
            .join(t.enrolments, e.id == v.enrolment_id)
            .join(t.patients, p.id == e.patient_id)
            .where(
                p.site_id.in_(site_ids),
                v.status == VisitStatus.PLANNED.value,
                e.status == EnrolmentStatus.ACTIVE.value,
                condition,
            )
            .order_by(v.planned_date, p.study_id, v.sequence)
        )
        pairs = []
        for row in self._db.execute(query):
            patient_row = {col.name: getattr(row, f"p_{col.name}") for col in t.patients.c}
            pairs.append((_patient(_AttrRow(patient_row)), _visit(row)))
        return pairs


class _AttrRow:
    """Attribute access over a dict, so `_patient` maps joined rows as it maps plain ones."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _plan_values(visit: PlannedVisit) -> dict[str, Any]:
    return {
        "target_date": visit.target,
        "window_start": visit.window_start,
        "window_end": visit.window_end,
        "planned_date": visit.planned,
    }


def _visit(row: Row[Any]) -> Visit:
    return Visit(
        row.id,
        row.enrolment_id,
        row.code,
        VisitKind(row.kind),
        row.label,
        row.sequence,
        row.dosing_number,
        row.target_date,
        row.window_start,
        row.window_end,
        row.planned_date,
        VisitStatus(row.status),
        row.rescheduled,
        row.held_on,
    )


class SqlDeviations(_Repository):
    def add(
        self,
        enrolment_id: int,
        visit_id: int | None,
        kind: str,
        description: str,
        recorded_at: datetime,
    ) -> ProtocolDeviation:
        deviation_id = self._insert(
            t.protocol_deviations,
            enrolment_id=enrolment_id,
            visit_id=visit_id,
            kind=kind,
            description=description,
            recorded_at=recorded_at,
        )
        return ProtocolDeviation(
            deviation_id, enrolment_id, visit_id, kind, description, recorded_at
        )

    def for_enrolment(self, enrolment_id: int) -> Sequence[ProtocolDeviation]:
        c = t.protocol_deviations.c
        rows = self._db.execute(
            select(t.protocol_deviations).where(c.enrolment_id == enrolment_id).order_by(c.id)
        )
        return [
            ProtocolDeviation(
                r.id, r.enrolment_id, r.visit_id, r.kind, r.description, r.recorded_at
            )
            for r in rows
        ]


# Every audited write runs these: built once, their compiled forms are reused (see `_insert`).
_AUDIT_HEAD = select(t.audit_head).where(t.audit_head.c.id == 1).with_for_update()
_AUDIT_HEAD_MOVED = update(t.audit_head).where(t.audit_head.c.id == 1)
_AUDIT_HASH = select(t.audit_events.c.hash).where(t.audit_events.c.id == bindparam("id"))


class SqlAuditLog(_Repository):
    """Appends under the audit_head row (a lock on PostgreSQL), so ids and links never fork.

    Each append seals the append-only rows inserted since the previous one in this transaction
    (their digests go into the event), and the range of events the transaction appended is kept
    in `batch` for the unit of work to sign a checkpoint over once it has committed.
    """

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.batch: tuple[tuple[int, str], tuple[int, str]] | None = None  # (start, end)
        self.last_content: AuditContent | None = None

    def append(self, content: AuditContent) -> AuditEvent:
        head = self._db.execute(_AUDIT_HEAD).first()
        if head is None and self._db.execute(select(t.audit_events.c.id).limit(1)).first():
            raise IntegrityError(
                "the audit trail's head row is missing: writes stop until it is restored "
                "(run `mdma-at audit verify`)"
            )
        last_id, prev_hash = (head.last_id, head.last_hash) if head else (0, GENESIS_HASH)
        pending = unsealed(self._db)
        if pending:
            sealed = sealed_rows_json(seal_digests(self._db, pending))
            content = replace(content, sealed_rows=sealed)
            pending.clear()
        event = AuditEvent(last_id + 1, content, prev_hash, chain_hash(content, prev_hash))
        self.batch = (
            (self.batch[0] if self.batch else (last_id, prev_hash)),
            (event.id, event.hash),
        )
        self.last_content = content
        self._db.execute(
            _insert_into(t.audit_events),
            {
                "id": event.id,
                "prev_hash": event.prev_hash,
                "hash": event.hash,
                **_content_values(content),
            },
        )
        if head:
            self._db.execute(_AUDIT_HEAD_MOVED, {"last_id": event.id, "last_hash": event.hash})
        else:
            self._db.execute(
                _insert_into(t.audit_head), {"id": 1, "last_id": event.id, "last_hash": event.hash}
            )
        return event

    def events(self) -> Iterator[AuditEvent]:
        # yield_per for this statement only: set on the connection it would make every later
        # statement of the transaction (an audited write after reading the trail) use a
        # server-side cursor, which PostgreSQL refuses for an INSERT
        result = self._db.execute(
            select(t.audit_events).order_by(t.audit_events.c.id),
            execution_options={"yield_per": 1000},
        )
        for row in result:
            yield _audit_event(row)

    def head_hash(self) -> str | None:
        return self._db.execute(select(t.audit_head.c.last_hash)).scalar_one_or_none()

    def head(self) -> tuple[int, str] | None:
        row = self._db.execute(select(t.audit_head)).first()
        return (row.last_id, row.last_hash) if row else None

    def hash_at(self, event_id: int) -> str | None:
        return self._db.execute(_AUDIT_HASH, {"id": event_id}).scalar_one_or_none()

    def sealed_tables(self) -> Sequence[str]:
        return [table.name for table in t.SEALED_TABLES]

    def stored_rows(self, table_name: str) -> Iterator[tuple[int, str]]:
        table = next(table for table in t.SEALED_TABLES if table.name == table_name)
        return stored_digests(self._db, table)

    def recent(
        self, limit: int = 50, entity_type: str | None = None, entity_id: str | None = None
    ) -> Sequence[AuditEvent]:
        c = t.audit_events.c
        query = select(t.audit_events).order_by(c.id.desc()).limit(limit)
        if entity_type is not None:
            query = query.where(c.entity_type == entity_type)
        if entity_id is not None:
            query = query.where(c.entity_id == entity_id)
        return [_audit_event(row) for row in self._db.execute(query)]


def _content_values(content: AuditContent) -> dict[str, Any]:
    return {field: getattr(content, field) for field in AuditContent.__dataclass_fields__}


def _audit_event(row: Row[Any]) -> AuditEvent:
    content = AuditContent(**{f: getattr(row, f) for f in AuditContent.__dataclass_fields__})
    return AuditEvent(row.id, content, row.prev_hash, row.hash)


def _aware(moment: datetime | None) -> datetime | None:
    """An aggregate (max) of a UtcDateTime column comes back without its type's processing."""
    if moment is None or (isinstance(moment, datetime) and moment.tzinfo is not None):
        return moment
    if isinstance(moment, str):  # SQLite returns the stored text
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC)
