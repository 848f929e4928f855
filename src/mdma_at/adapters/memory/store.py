"""The in-memory database: committed tables, and one transaction's view of them.

A transaction copies the committed tables when it begins (each table's dict, not its rows: rows
are never changed in place, an update stores a new dict), works on the copy, and on commit writes
back only the rows it touched. A rollback drops the copy. Ids come from one counter per table
shared by every transaction, as a database sequence does, so concurrent transactions never
hand out the same id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mdma_at.adapters.sealed import SEALED_TABLE_NAMES
from mdma_at.domain.errors import DuplicateKey, IntegrityError
from mdma_at.services.register.kept import BooksStore
from mdma_at.services.sessions.folds import FoldStore

Row = Mapping[str, Any]

SEALED_TABLES = SEALED_TABLE_NAMES
APPEND_ONLY_TABLES = frozenset({"audit_events", *SEALED_TABLES})

# The unique keys of the SQL schema: a second row with the same values is refused (DuplicateKey).
UNIQUE_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "sites": (("code",),),
    "users": (("username",),),
    "role_grants": (("user_id", "site_id", "role"),),
    "login_sessions": (("token_hash",),),
    "api_tokens": (("token_hash",),),
    "patients": (("study_id",),),
    "visits": (("enrolment_id", "code"),),
    "rooms": (("site_id", "name"),),
    "visit_bookings": (("visit_id",),),
    "questionnaire_links": (("token_hash",),),
    "instrument_alert_acknowledgements": (("alert_id",),),
    "screening_signatures": (("screening_id",),),
    "consent_documents": (("site_id", "version"),),
    "dosing_sessions": (("visit_id",),),
    "register_containers": (("site_id", "kit_number"),),
    "register_discrepancies": (("count_id",),),
    "register_resolutions": (("discrepancy_id",),),
    "register_periods": (("site_id", "through"),),
    "register_session_closes": (("session_id",),),
    "therapy_notes": (("visit_id",),),
    "check_ins": (("session_id", "day"),),
    "studies": (("code",),),
    "study_participants": (("study_id", "patient_id"),),
    "study_allocations": (("participant_id",), ("study_id", "position")),
    "unblinding_approvals": (("request_id",),),
    "research_keys": (("patient_id",), ("research_id",)),
    "safety_report_submissions": (("entry_id",),),
    "blinding_guesses": (("participant_id", "time_point", "respondent_key"),),
}


def append_only(table: str, verb: str) -> IntegrityError:
    return IntegrityError(f"{table} is append-only: {verb} refused")


@dataclass
class MemoryDatabase:
    """What is committed. Share one between unit-of-work instances as one shares an engine."""

    tables: dict[str, dict[int, Row]] = field(default_factory=dict)
    audit_head: tuple[int, str] | None = None  # (last id, last hash), as the audit_head row
    _last_ids: dict[str, int] = field(default_factory=dict)
    #: The kept session folds of this database (services.sessions.folds), as SQL keeps one per
    #: engine.
    folds: FoldStore = field(default_factory=FoldStore, compare=False, repr=False)
    #: The kept books of this database's register (services.register.kept), likewise.
    kept_books: BooksStore = field(default_factory=BooksStore, compare=False, repr=False)

    def next_id(self, table: str) -> int:
        self._last_ids[table] = self._last_ids.get(table, 0) + 1
        return self._last_ids[table]


class Transaction:
    """One transaction's view: the committed tables as they were at its start, plus its writes."""

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database
        self._tables = {name: dict(rows) for name, rows in database.tables.items()}
        self._written: set[tuple[str, int]] = set()
        self.audit_head = self._head_at_start = database.audit_head
        self.unsealed: list[tuple[str, int]] = []  # sealed-table rows no audit event covers yet

    # --- reading ---

    def get(self, table: str, row_id: int | None) -> Row | None:
        return None if row_id is None else self._tables.get(table, {}).get(row_id)

    def rows(self, table: str) -> list[Row]:
        """Every row of `table`, in id order (insertion order is not id order across writers)."""
        rows = self._tables.get(table, {})
        return [rows[row_id] for row_id in sorted(rows)]

    def where(self, table: str, test: Callable[[Row], bool]) -> list[Row]:
        return [row for row in self.rows(table) if test(row)]

    def first(self, table: str, **values: object) -> Row | None:
        found = self.where(table, lambda row: all(row[k] == v for k, v in values.items()))
        return found[0] if found else None

    # --- writing ---

    def insert(self, table: str, values: Mapping[str, Any], row_id: int | None = None) -> int:
        """Store a new row (its id from the table's counter unless given) and return the id."""
        rows = self._tables.setdefault(table, {})
        _refuse_duplicate(table, values, rows.values())
        row_id = self._database.next_id(table) if row_id is None else row_id
        rows[row_id] = {"id": row_id, **values}
        self._written.add((table, row_id))
        if table in SEALED_TABLES:
            self.unsealed.append((table, row_id))
        return row_id

    def update(self, table: str, row_id: int, **values: object) -> bool:
        """Change a row (a new dict: snapshots holding the old one keep it); False if absent."""
        if table in APPEND_ONLY_TABLES:
            raise append_only(table, "UPDATE")
        rows = self._tables.setdefault(table, {})
        if row_id not in rows:
            return False
        rows[row_id] = {**rows[row_id], **values}
        self._written.add((table, row_id))
        return True

    # --- ending ---

    def commit(self) -> None:
        """Write this transaction's rows into the committed tables.

        Refused as a whole when another transaction committed in between and either appended
        to the audit chain too (the chain would fork: SQL serialises on the audit head row) or
        took a unique key this one also took.
        """
        database = self._database
        if self.audit_head != self._head_at_start and database.audit_head != self._head_at_start:
            raise IntegrityError("the audit chain moved under this transaction: try again")
        for table, row_id in sorted(self._written):
            row = self._tables[table][row_id]
            committed = database.tables.get(table, {})
            _refuse_duplicate(table, row, (r for i, r in committed.items() if i != row_id))
        for table, row_id in sorted(self._written):
            database.tables.setdefault(table, {})[row_id] = self._tables[table][row_id]
        database.audit_head = self.audit_head


def _refuse_duplicate(table: str, row: Row, others: Iterable[Row]) -> None:
    keys = UNIQUE_KEYS.get(table, ())
    if not keys:
        return
    others = list(others)
    for key in keys:
        value = tuple(row[column] for column in key)
        if any(
            other.get("id") != row.get("id") and tuple(other[c] for c in key) == value
            for other in others
        ):
            raise DuplicateKey(table)
