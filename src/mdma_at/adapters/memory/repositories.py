"""In-memory repositories of sites, staff, credentials, patients, schedules and the audit trail.

Each mirrors its SQL twin in adapters/db/repositories.py: the same records back, the same
ordering, the same refusals (`tests/contract` holds both to it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from mdma_at.adapters.memory.store import SEALED_TABLES, Row, Transaction
from mdma_at.domain.audit import (
    GENESIS_HASH,
    AuditContent,
    AuditEvent,
    chain_hash,
    row_digest,
    sealed_rows_json,
)
from mdma_at.domain.patients import Patient, PatientDetails
from mdma_at.domain.schedule.planning import PlannedVisit
from mdma_at.domain.schedule.records import (
    Enrolment,
    EnrolmentStatus,
    ProtocolDeviation,
    Visit,
    VisitStatus,
)
from mdma_at.domain.staff import Role, Site, StaffMember
from mdma_at.services.ports import ApiTokenRecord, Credential, SiteValueChange


class _Repository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx


class MemorySites(_Repository):
    def add(self, code: str, name: str, timezone: str = "UTC") -> Site:
        values: dict[str, Any] = {
            "code": code,
            "name": name,
            "timezone": timezone,
            "on_call_name": None,
            "on_call_email": None,
            "repage_minutes": 5,
        }
        found = self.get(self._tx.insert("sites", values))
        assert found is not None
        return found

    def get(self, site_id: int) -> Site | None:
        return site(self._tx.get("sites", site_id))

    def by_code(self, code: str) -> Site | None:
        return site(self._tx.first("sites", code=code))

    def list(self) -> Sequence[Site]:
        return sorted((Site(**row) for row in self._tx.rows("sites")), key=lambda s: s.code)

    def update(self, site_id: int, **values: object) -> Site:
        self._tx.update("sites", site_id, **values)
        found = self.get(site_id)
        assert found is not None
        return found


def site(row: Row | None) -> Site | None:
    return Site(**row) if row is not None else None


class MemoryStaff(_Repository):
    def add(self, username: str, full_name: str, password_hash: str) -> StaffMember:
        values: dict[str, Any] = {
            "username": username,
            "full_name": full_name,
            "active": True,
        }
        user_id = self._tx.insert("users", values | {"password_hash": password_hash})
        return StaffMember(user_id, username, full_name, True)

    def get(self, user_id: int) -> StaffMember | None:
        row = self._tx.get("users", user_id)
        return member(row) if row else None

    def by_username(self, username: str) -> tuple[StaffMember, str] | None:
        row = self._tx.first("users", username=username)
        return (member(row), row["password_hash"]) if row else None

    def grant(self, user_id: int, site_id: int, role: Role) -> None:
        self._tx.insert("role_grants", {"user_id": user_id, "site_id": site_id, "role": role.value})

    def roles(self, user_id: int) -> dict[int, frozenset[Role]]:
        grants: dict[int, set[Role]] = {}
        for row in self._tx.where("role_grants", lambda r: r["user_id"] == user_id):
            grants.setdefault(row["site_id"], set()).add(Role(row["role"]))
        return {site_id: frozenset(roles) for site_id, roles in grants.items()}

    def with_roles(self, user_id: int) -> tuple[StaffMember, dict[int, frozenset[Role]]] | None:
        found = self.get(user_id)
        return (found, self.roles(user_id)) if found else None

    def count(self) -> int:
        return len(self._tx.rows("users"))

    def set_active(self, user_id: int, active: bool) -> None:
        self._tx.update("users", user_id, active=active)

    def list(self) -> Sequence[StaffMember]:
        return sorted((member(row) for row in self._tx.rows("users")), key=lambda m: m.username)


def member(row: Row) -> StaffMember:
    return StaffMember(row["id"], row["username"], row["full_name"], row["active"])


class MemoryCredentials(_Repository):
    def add_session(
        self,
        user_id: int,
        token_hash: str,
        csrf_token: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> Credential:
        values: dict[str, Any] = {
            "user_id": user_id,
            "token_hash": token_hash,
            "csrf_token": csrf_token,
            "created_at": created_at,
            "expires_at": expires_at,
            "revoked_at": None,
        }
        credential_id = self._tx.insert("login_sessions", values)
        return Credential(credential_id, user_id, created_at, expires_at, None, csrf_token)

    def session(self, token_hash: str) -> Credential | None:
        row = self._tx.first("login_sessions", token_hash=token_hash)
        return _credential(row, row["csrf_token"]) if row else None

    def touch_session(self, credential_id: int, expires_at: datetime) -> None:
        self._tx.update("login_sessions", credential_id, expires_at=expires_at)

    def revoke_session(self, credential_id: int, at: datetime) -> None:
        self._tx.update("login_sessions", credential_id, revoked_at=at)

    def add_api_token(
        self, user_id: int, name: str, token_hash: str, created_at: datetime, expires_at: datetime
    ) -> Credential:
        values: dict[str, Any] = {
            "user_id": user_id,
            "name": name,
            "token_hash": token_hash,
            "created_at": created_at,
            "expires_at": expires_at,
            "revoked_at": None,
        }
        credential_id = self._tx.insert("api_tokens", values)
        return Credential(credential_id, user_id, created_at, expires_at, None)

    def api_token(self, token_hash: str) -> Credential | None:
        row = self._tx.first("api_tokens", token_hash=token_hash)
        return _credential(row, None) if row else None

    def api_tokens_of(self, user_id: int) -> Sequence[ApiTokenRecord]:
        return [
            _api_token(r) for r in self._tx.where("api_tokens", lambda r: r["user_id"] == user_id)
        ]

    def api_token_by_id(self, token_id: int) -> ApiTokenRecord | None:
        row = self._tx.get("api_tokens", token_id)
        return _api_token(row) if row else None

    def revoke_api_token(self, token_id: int, at: datetime) -> None:
        row = self._tx.get("api_tokens", token_id)
        if row is not None and row["revoked_at"] is None:
            self._tx.update("api_tokens", token_id, revoked_at=at)

    def revoke_all_of(self, user_id: int, at: datetime) -> tuple[int, int]:
        counts = []
        for table in ("login_sessions", "api_tokens"):
            open_ones = self._tx.where(
                table, lambda r: r["user_id"] == user_id and r["revoked_at"] is None
            )
            for row in open_ones:
                self._tx.update(table, row["id"], revoked_at=at)
            counts.append(len(open_ones))
        return counts[0], counts[1]


def _credential(row: Row, csrf_token: str | None) -> Credential:
    return Credential(
        row["id"],
        row["user_id"],
        row["created_at"],
        row["expires_at"],
        row["revoked_at"],
        csrf_token,
    )


def _api_token(row: Row) -> ApiTokenRecord:
    fields = ("id", "user_id", "name", "created_at", "expires_at", "revoked_at")
    return ApiTokenRecord(*(row[f] for f in fields))


class MemoryLoginAttempts(_Repository):
    def add(self, username: str, address: str, at: datetime, succeeded: bool) -> None:
        # cut as the SQL columns (64 characters) cut them
        values: dict[str, Any] = {
            "username": username[:64],
            "address": address[:64],
            "at": at,
        }
        self._tx.insert("login_attempts", values | {"succeeded": succeeded})

    def failure_streak(
        self, *, since: datetime, username: str | None = None, address: str | None = None
    ) -> tuple[int, datetime | None]:
        """As SqlLoginAttempts: for an account only failures after its last success count."""

        def scoped(row: Row) -> bool:
            return (username is None or row["username"] == username) and (
                address is None or row["address"] == address
            )

        start = since
        if username is not None:
            successes = [
                r["at"]
                for r in self._tx.where("login_attempts", scoped)
                if r["succeeded"] and r["at"] >= since
            ]
            start = max([since, *successes])
        failures = [
            r["at"]
            for r in self._tx.where("login_attempts", scoped)
            if not r["succeeded"] and r["at"] >= start
        ]
        return len(failures), max(failures, default=None)


class MemoryPatients(_Repository):
    def add(self, site_id: int, details: PatientDetails) -> Patient:
        patient_id = self._tx.insert(
            "patients", {"site_id": site_id, "study_id": details.study_id, "details": details}
        )
        return Patient(patient_id, site_id, details)

    def get(self, patient_id: int) -> Patient | None:
        return patient(self._tx.get("patients", patient_id))

    def by_study_id(self, study_id: str) -> Patient | None:
        return patient(self._tx.first("patients", study_id=study_id))

    def search(
        self, site_ids: frozenset[int], text: str = "", limit: int = 200
    ) -> Sequence[Patient]:
        needle = text.lower()
        found = [
            patient_of(self._tx, row["id"])
            for row in self._tx.rows("patients")
            if row["site_id"] in site_ids
            and (needle in row["study_id"].lower() or needle in row["details"].name.lower())
        ]
        return sorted(found, key=lambda p: p.details.study_id)[:limit]


def patient(row: Row | None) -> Patient | None:
    return Patient(row["id"], row["site_id"], row["details"]) if row is not None else None


def patient_of(tx: Transaction, patient_id: int) -> Patient:
    """The patient a stored row refers to (always there: the SQL schema has a foreign key)."""
    found = patient(tx.get("patients", patient_id))
    assert found is not None
    return found


class MemoryEnrolments(_Repository):
    def add(self, patient_id: int, protocol: str, enrolled_on: date) -> Enrolment:
        values: dict[str, Any] = {
            "patient_id": patient_id,
            "protocol": protocol,
            "enrolled_on": enrolled_on,
            "status": EnrolmentStatus.ACTIVE,
            "withdrawn_on": None,
        }
        enrolment_id = self._tx.insert("enrolments", values | {"withdrawal_reason": None})
        return Enrolment(enrolment_id, patient_id, protocol, enrolled_on, EnrolmentStatus.ACTIVE)

    def get(self, enrolment_id: int) -> Enrolment | None:
        row = self._tx.get("enrolments", enrolment_id)
        return Enrolment(**row) if row else None

    def for_patient(self, patient_id: int) -> Sequence[Enrolment]:
        rows = self._tx.where("enrolments", lambda r: r["patient_id"] == patient_id)
        return [Enrolment(**row) for row in rows]

    def withdraw(self, enrolment_id: int, on: date, reason: str) -> Enrolment:
        self._tx.update(
            "enrolments",
            enrolment_id,
            status=EnrolmentStatus.WITHDRAWN,
            withdrawn_on=on,
            withdrawal_reason=reason,
        )
        found = self.get(enrolment_id)
        assert found is not None
        return found


class MemoryVisits(_Repository):
    def add_planned(self, enrolment_id: int, visit: PlannedVisit) -> Visit:
        values: dict[str, Any] = {f: getattr(visit, f) for f in PlannedVisit.__dataclass_fields__}
        values |= {"enrolment_id": enrolment_id, "status": VisitStatus.PLANNED}
        visit_id = self._tx.insert("visits", values | {"rescheduled": False, "held_on": None})
        return self._get(visit_id)

    def get(self, visit_id: int) -> Visit | None:
        row = self._tx.get("visits", visit_id)
        return Visit(**row) if row else None

    def _get(self, visit_id: int) -> Visit:
        found = self.get(visit_id)
        assert found is not None
        return found

    def for_enrolment(self, enrolment_id: int) -> Sequence[Visit]:
        rows = self._tx.where("visits", lambda r: r["enrolment_id"] == enrolment_id)
        return sorted((Visit(**row) for row in rows), key=lambda v: v.sequence)

    def replan(self, visit_id: int, visit: PlannedVisit, *, rescheduled: bool) -> Visit:
        plan = {f: getattr(visit, f) for f in ("target", "window_start", "window_end", "planned")}
        self._tx.update("visits", visit_id, rescheduled=rescheduled, **plan)
        return self._get(visit_id)

    def mark_held(self, visit_id: int, held_on: date) -> Visit:
        self._tx.update("visits", visit_id, status=VisitStatus.HELD, held_on=held_on)
        return self._get(visit_id)

    def set_status(self, visit_id: int, status: VisitStatus) -> Visit:
        self._tx.update("visits", visit_id, status=status)
        return self._get(visit_id)

    def planned_between(
        self, site_ids: frozenset[int], start: date, end: date
    ) -> Sequence[tuple[Patient, Visit]]:
        return self._planned_with_patients(site_ids, lambda v: start <= v.planned <= end)

    def overdue(self, site_ids: frozenset[int], today: date) -> Sequence[tuple[Patient, Visit]]:
        return self._planned_with_patients(site_ids, lambda v: v.window_end < today)

    def _planned_with_patients(
        self, site_ids: frozenset[int], condition: Any
    ) -> Sequence[tuple[Patient, Visit]]:
        """Planned visits of active enrolments at `site_ids` meeting `condition`, by date."""
        pairs = [
            (who, visit)
            for who, visit in active_visits(self._tx, site_ids)
            if visit.status is VisitStatus.PLANNED and condition(visit)
        ]
        return sorted(pairs, key=lambda p: (p[1].planned, p[0].details.study_id, p[1].sequence))


def active_visits(tx: Transaction, site_ids: frozenset[int]) -> list[tuple[Patient, Visit]]:
    """Every visit of an active enrolment of a patient at `site_ids`, with the patient."""
    pairs = []
    for row in tx.rows("visits"):
        enrolment = tx.get("enrolments", row["enrolment_id"])
        assert enrolment is not None
        who = patient_of(tx, enrolment["patient_id"])
        if who.site_id in site_ids and enrolment["status"] is EnrolmentStatus.ACTIVE:
            pairs.append((who, Visit(**row)))
    return pairs


class MemoryDeviations(_Repository):
    def add(
        self,
        enrolment_id: int,
        visit_id: int | None,
        kind: str,
        description: str,
        recorded_at: datetime,
    ) -> ProtocolDeviation:
        values: dict[str, Any] = {
            "enrolment_id": enrolment_id,
            "visit_id": visit_id,
            "kind": kind,
            "description": description,
            "recorded_at": recorded_at,
        }
        return ProtocolDeviation(self._tx.insert("protocol_deviations", values), **values)

    def for_enrolment(self, enrolment_id: int) -> Sequence[ProtocolDeviation]:
        rows = self._tx.where("protocol_deviations", lambda r: r["enrolment_id"] == enrolment_id)
        return [ProtocolDeviation(**row) for row in rows]


class MemoryAuditLog(_Repository):
    """The chain as SqlAuditLog keeps it: ids from the head, hashes by `chain_hash`, and each
    append sealing the append-only rows inserted since the previous one (by `row_digest`)."""

    def __init__(self, tx: Transaction) -> None:
        super().__init__(tx)
        self.batch: tuple[tuple[int, str], tuple[int, str]] | None = None  # (start, end)
        self.last_content: AuditContent | None = None

    def append(self, content: AuditContent) -> AuditEvent:
        last_id, prev_hash = self._tx.audit_head or (0, GENESIS_HASH)
        if self._tx.unsealed:
            content = replace(content, sealed_rows=sealed_rows_json(self._seal_digests()))
            self._tx.unsealed.clear()
        event = AuditEvent(last_id + 1, content, prev_hash, chain_hash(content, prev_hash))
        self.batch = (self.batch[0] if self.batch else (last_id, prev_hash), (event.id, event.hash))
        self.last_content = content
        self._tx.insert("audit_events", {"event": event}, row_id=event.id)
        self._tx.audit_head = (event.id, event.hash)
        return event

    def _seal_digests(self) -> dict[str, dict[int, str]]:
        digests: dict[str, dict[int, str]] = {}
        for table, row_id in self._tx.unsealed:
            row = self._tx.get(table, row_id)
            assert row is not None
            digests.setdefault(table, {})[row_id] = row_digest(table, row)
        return digests

    def events(self) -> Iterator[AuditEvent]:
        for row in self._tx.rows("audit_events"):
            yield row["event"]

    def head_hash(self) -> str | None:
        return self._tx.audit_head[1] if self._tx.audit_head else None

    def head(self) -> tuple[int, str] | None:
        return self._tx.audit_head

    def hash_at(self, event_id: int) -> str | None:
        row = self._tx.first("audit_events", id=event_id)
        return row["event"].hash if row else None

    def sealed_tables(self) -> Sequence[str]:
        return list(SEALED_TABLES)

    def stored_rows(self, table_name: str) -> Iterator[tuple[int, str]]:
        for row in self._tx.rows(table_name):
            yield row["id"], row_digest(table_name, row)

    def recent(
        self, limit: int = 50, entity_type: str | None = None, entity_id: str | None = None
    ) -> Sequence[AuditEvent]:
        found = [
            event
            for event in reversed(list(self.events()))
            if (entity_type is None or event.content.entity_type == entity_type)
            and (entity_id is None or event.content.entity_id == entity_id)
        ]
        return found[:limit]


class MemorySiteProtocol(_Repository):
    """Each site's changes of its protocol values, as SqlSiteProtocol keeps them."""

    def add(
        self,
        site_id: int,
        protocol: str,
        key: str,
        value: float | None,
        reason: str,
        changed_by_id: int | None,
        changed_by: str,
        changed_at: datetime,
    ) -> SiteValueChange:
        values: dict[str, Any] = {
            "site_id": site_id,
            "protocol": protocol,
            "key": key,
            "value": value,
            "reason": reason,
            "changed_by_id": changed_by_id,
            "changed_by": changed_by,
            "changed_at": changed_at,
        }
        return SiteValueChange(self._tx.insert("site_protocol_values", values), **values)

    def history(self, site_id: int, protocol: str) -> Sequence[SiteValueChange]:
        rows = self._tx.where(
            "site_protocol_values",
            lambda r: r["site_id"] == site_id and r["protocol"] == protocol,
        )
        return [SiteValueChange(**row) for row in sorted(rows, key=lambda r: r["id"])]
