"""A year of demo-scale clinic history, bulk-loaded into a PostgreSQL database at any revision.

For the migration-under-load test (issue 18 item 5): what matters there is how many rows the
tables hold when `db upgrade` alters them or points new foreign keys at them, not what the rows
say. So the rows are made from the schema as the database has it (reflected, so an older revision
works too), in foreign-key order, and written with PostgreSQL's COPY: ~200,000 rows in seconds,
where the services would take many minutes.

Sizes (:data:`YEAR`) follow the MAPP1 programme for ~300 patients a year (DESIGN.md §1): three
dosing sessions each, ~40 vital-sign entries per eight-hour session (every 30 min to 6 h, hourly to
discharge, plus alert re-checks), a questionnaire at most visits, and one audit event per write.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    text,
)

PATIENTS = 300
SESSIONS = 3 * PATIENTS  # three dosing sessions each (MAPP1)
VISITS = 20 * PATIENTS  # screening to 12-month follow-up, roughly (mapp_v1 schedule)

#: Rows per table; a table not named gets :data:`OTHER_ROWS`.
YEAR: Mapping[str, int] = {
    "sites": 2,
    "users": 40,
    "role_grants": 40,
    "patients": PATIENTS,
    "enrolments": PATIENTS,
    "screenings": PATIENTS,
    "consent_signatures": PATIENTS,
    "visits": VISITS,
    "dosing_sessions": SESSIONS,
    "dosing_session_events": 40 * SESSIONS,
    "questionnaire_links": VISITS // 2,
    "instrument_administrations": VISITS,
    "instrument_item_answers": 10 * VISITS,
    "login_attempts": 20_000,
    "login_sessions": 10_000,
    "audit_events": 100_000,
}
OTHER_ROWS = 50
AUDIT_HEAD_ID = 1  # the single row of audit_head (adapters.db.repositories.SqlAuditLog)
_START = datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
_SKIPPED = {"alembic_version", "audit_head"}


def load_year(engine: Engine) -> dict[str, int]:
    """Fill every table of the database `engine` points at; returns the rows written by table.

    The audit trail's head row points at the last generated event, so the app's own
    `SqlAuditLog.append` carries on after it. The events' hashes are placeholders: this history
    is for measuring locks, not for `audit verify`.
    """
    schema = MetaData()
    schema.reflect(engine)
    written: dict[str, int] = {}
    ids: dict[str, int] = {}
    with engine.begin() as connection:
        cursor = connection.connection.driver_connection.cursor()
        for table in schema.sorted_tables:
            if table.name in _SKIPPED:
                continue
            count = YEAR.get(table.name, OTHER_ROWS)
            columns = [column.name for column in table.columns]
            names = ", ".join(f'"{name}"' for name in columns)
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in _rows(table, count, ids):
                    copy.write_row(row)
            ids[table.name] = count
            written[table.name] = count
        last = ids.get("audit_events", 0)
        if "audit_head" in schema.tables and last:
            connection.execute(
                text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (:id, :last, :hash)"),
                {"id": AUDIT_HEAD_ID, "last": last, "hash": _hash(last)},
            )
        for name, count in written.items():  # COPY wrote the ids: move each sequence past them
            key = [column.name for column in schema.tables[name].primary_key.columns]
            if len(key) == 1:
                connection.execute(_MOVE_SEQUENCE, {"table": name, "column": key[0], "last": count})
    return written


_MOVE_SEQUENCE = text(
    "SELECT setval(sequence, :last) FROM (SELECT pg_get_serial_sequence(:table, :column)"
    " AS sequence) AS found WHERE sequence IS NOT NULL"
)


def _rows(table: Table, count: int, ids: Mapping[str, int]) -> Iterator[list[object]]:
    unique = _unique_columns(table)
    for number in range(1, count + 1):
        yield [_value(table, column, number, ids, unique) for column in table.columns]


def _unique_columns(table: Table) -> set[str]:
    names = {column.name for column in table.columns if column.unique}
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            names |= {column.name for column in constraint.columns}
    for index in table.indexes:
        if index.unique:
            names |= {column.name for column in index.columns}
    return names


def _value(
    table: Table, column: Column[Any], number: int, ids: Mapping[str, int], unique: set[str]
) -> object:
    """A plausible value of the column's type for row `number`: the row's own number for keys
    and unique columns, a parent row spread evenly for foreign keys (40 entries per session)."""
    if column.primary_key:
        return number
    if column.foreign_keys:
        parent = next(iter(column.foreign_keys)).column.table.name
        parents = ids.get(parent, 0)
        if not parents:
            return None
        return (number - 1) % parents + 1
    if table.name == "audit_events" and column.name in ("hash", "prev_hash"):
        return _hash(number if column.name == "hash" else number - 1)
    kind = column.type
    if column.nullable and column.name not in unique:
        return None
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return number
    if isinstance(kind, Float | Numeric):
        return 36.6
    if isinstance(kind, DateTime):
        return _START + timedelta(minutes=15 * number)
    if isinstance(kind, Date):
        return date(2025, 12, 1) + timedelta(days=number % 365)
    if isinstance(kind, String) and kind.length:
        return str(number)[-kind.length :] if kind.length < 8 else f"{column.name[:3]}{number}"
    return f"{column.name} {number}"


def _hash(number: int) -> str:
    return f"{number:064x}"
