"""The audit trail's hash chain (pure).

Each event stores the SHA-256 of its own content together with the previous event's hash, so that
altering, inserting or removing an event anywhere breaks every hash after it. The content hashed
is exactly what is stored (timestamps and JSON as text), so verification needs no re-encoding.

Rows of the append-only clinical tables are covered too: the event that records a write carries
the digest of every append-only row the write inserted (`sealed_rows`), so a row changed or
deleted behind the application's back no longer matches the chain. The chain's head is attested
outside the database by signed checkpoints (ADR 0105); `TrailCheck` puts the three together.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditContent:
    """One audited write or security event: who, as what, where, when, what, before/after, why."""

    occurred_at: str  # ISO 8601 UTC with microseconds, e.g. 2026-11-22T09:30:00.000000Z
    actor_id: int | None
    actor: str
    role: str | None
    site_id: int | None
    action: str
    entity_type: str
    entity_id: str | None
    before: str | None  # canonical JSON
    after: str | None  # canonical JSON
    reason: str | None
    # {"table": {"row id": digest}} of the append-only rows this write inserted (canonical JSON);
    # None for events that inserted none, which hash exactly as events did before it existed.
    sealed_rows: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    content: AuditContent
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    intact: bool
    events_checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    problems: tuple[str, ...] = ()
    rows_checked: int = 0
    checkpoints_checked: int = 0


def utc_stamp(moment: datetime) -> str:
    """The stored form of an audit time: UTC, microseconds, 'Z'."""
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str | None:
    """Stable JSON for before/after snapshots (sorted keys, no spaces, dates as ISO strings)."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def chain_hash(content: AuditContent, prev_hash: str) -> str:
    # every field is text, a number or None: a flat copy is what `asdict` made, without its
    # deep copy (this runs for every audited write)
    fields = {name: getattr(content, name) for name in _CONTENT_FIELDS}
    if fields["sealed_rows"] is None:  # events without sealed rows hash as they always did
        del fields["sealed_rows"]
    payload = json.dumps([fields, prev_hash], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_CONTENT_FIELDS = tuple(AuditContent.__dataclass_fields__)


def _canonical_value(value: object) -> object:
    if isinstance(value, datetime):
        return utc_stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_digest(table: str, row: Mapping[str, object]) -> str:
    """SHA-256 of one stored row: every column, times as UTC stamps, dates as ISO text.

    Computed from the row as read back from the database, so SQLite and PostgreSQL give the same
    digest for the same stored values.
    """
    values = {name: _canonical_value(value) for name, value in row.items()}
    payload = json.dumps([table, values], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def sealed_rows_json(digests: Mapping[str, Mapping[int, str]]) -> str | None:
    """The `sealed_rows` text of an event: table -> row id -> digest (None when empty)."""
    if not any(digests.values()):
        return None
    return canonical_json(
        {table: {str(i): d for i, d in rows.items()} for table, rows in digests.items() if rows}
    )


def seal_content(last: AuditContent | None, now: datetime) -> AuditContent:
    """The event a commit appends to seal append-only rows its last audited write left unsealed.

    Attributed to that write (every write is audited in its transaction); rows written with no
    audit event at all are sealed by "system" at `now`.
    """
    if last is not None:
        return replace(
            last,
            action="rows_sealed",
            entity_type="append_only_rows",
            entity_id=None,
            before=None,
            after=None,
            reason=None,
        )
    return AuditContent(
        utc_stamp(now),
        None,
        "system",
        None,
        None,
        "rows_sealed",
        "append_only_rows",
        None,
        None,
        None,
        None,
    )


def verify_chain(events: Iterable[AuditEvent], head_hash: str | None = None) -> ChainVerdict:
    """Check every event in id order: its prev_hash links to the one before, its hash to its
    content.

    `head_hash` is the hash the store recorded for its newest event; a chain that ends elsewhere
    lost events at its end.
    """
    expected_prev = GENESIS_HASH
    checked = 0
    last_id: int | None = None
    for event in events:
        last_id = event.id
        if event.prev_hash != expected_prev:
            return ChainVerdict(False, checked, event.id, "link to the previous event is broken")
        if chain_hash(event.content, event.prev_hash) != event.hash:
            return ChainVerdict(False, checked, event.id, "content does not match its hash")
        expected_prev = event.hash
        checked += 1
    if head_hash is not None and head_hash != expected_prev:
        return ChainVerdict(False, checked, last_id, "the chain ends before its recorded head")
    return ChainVerdict(True, checked)


# --- checkpoints: the chain's head attested outside the database (ADR 0105) ---


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement: "events start+1..end were appended on top of start_hash, ending at
    end_hash". The application writes one after every committed write, `audit verify` one over
    the whole chain when it found nothing wrong."""

    start: int
    start_hash: str
    end: int
    end_hash: str
    at: str
    by: str

    def payload(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


#: `Checkpoint.by` of a restore point: "the database was restored from a backup whose chain ends
#: here". Lines before it that signed further describe writes lost with the restore (ADR 0200).
RESTORE_POINT = "restore"


def sign_checkpoint(checkpoint: Checkpoint, key: bytes) -> str:
    """One line of the checkpoint log: the checkpoint and its HMAC-SHA256 under `key`."""
    mac = hmac.new(key, checkpoint.payload().encode("utf-8"), hashlib.sha256).hexdigest()
    return json.dumps({**asdict(checkpoint), "hmac": mac}, sort_keys=True, separators=(",", ":"))


def read_checkpoint(line: str, key: bytes) -> Checkpoint | None:
    """The checkpoint of a log line, or None when the line is malformed or its HMAC is wrong."""
    try:
        data = json.loads(line)
        mac = data.pop("hmac")
        checkpoint = Checkpoint(**data)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    expected = hmac.new(key, checkpoint.payload().encode("utf-8"), hashlib.sha256).hexdigest()
    return checkpoint if isinstance(mac, str) and hmac.compare_digest(mac, expected) else None


def _seals_of(event: AuditEvent) -> dict[str, dict[str, str]]:
    if event.content.sealed_rows is None:
        return {}
    try:
        seals = json.loads(event.content.sealed_rows)
    except ValueError:
        return {}
    return seals if isinstance(seals, dict) else {}


@dataclass
class TrailCheck:
    """Verifies the whole audit trail in one pass, trusting nothing the database says about itself.

    Feed it the events in id order, then the stored head, then the rows of every append-only
    table; it collects every problem, in the order found, and `verdict()` names the first.

    - chain: each event links to the one before and matches its own hash;
    - checkpoints (signed, outside the database): every signed (count, hash) is still in the
      chain (else the chain was truncated or rewritten) and every event lies in some signed
      range (else it was appended outside the application: a forged append);
    - head: the stored head exists and is the chain's last event;
    - rows: every append-only row matches the digest its event sealed, no sealed row is
      missing, and no row is unsealed (inserted outside the application).
    """

    # (line number, None if forged); None: no checkpoint log to check against (chain, head, rows)
    checkpoints: Sequence[tuple[int, Checkpoint | None]] | None
    problems: list[str] = field(default_factory=list)
    unsigned: list[tuple[int, int]] = field(default_factory=list)  # ranges no checkpoint covers
    first_broken_id: int | None = None
    events_checked: int = 0
    rows_checked: int = 0
    _expected_prev: str = GENESIS_HASH
    _chain_ok: bool = True
    _hash_at: dict[int, str] = field(default_factory=dict)
    _seals: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for line, checkpoint in self.checkpoints or ():
            if checkpoint is None:
                self._problem(f"checkpoint line {line} has a bad signature (forged or corrupted)")
            else:
                self._hash_at[checkpoint.start] = ""
                self._hash_at[checkpoint.end] = ""
        self._hash_at[0] = GENESIS_HASH

    def _problem(self, text: str, event_id: int | None = None) -> None:
        self.problems.append(text)
        if event_id is not None and self.first_broken_id is None:
            self.first_broken_id = event_id

    def event(self, event: AuditEvent) -> None:
        if not self._chain_ok:
            return
        if event.prev_hash != self._expected_prev:
            self._chain_ok = False
            self._problem(f"event {event.id}: link to the previous event is broken", event.id)
            return
        if chain_hash(event.content, event.prev_hash) != event.hash:
            self._chain_ok = False
            self._problem(f"event {event.id}: content does not match its hash", event.id)
            return
        if event.id != self.events_checked + 1:
            self._chain_ok = False
            self._problem(f"event {event.id}: ids skip from {self.events_checked}", event.id)
            return
        self._expected_prev = event.hash
        self.events_checked += 1
        if event.id in self._hash_at:
            self._hash_at[event.id] = event.hash
        for table, rows in _seals_of(event).items():
            for row_id, digest in rows.items():
                self._seals[(table, int(row_id))] = (digest, event.id)

    def head(self, head: tuple[int, str] | None) -> None:
        """The head row the store recorded (last id, last hash), or None when it is missing."""
        if not self._chain_ok:
            return
        count = self.events_checked
        if head is None:
            if count:
                self._problem(f"the recorded head is missing (the chain has {count} events)")
        elif head != (count, self._expected_prev):
            self._problem(
                f"the recorded head (event {head[0]}) is not the chain's last event ({count}): "
                "the head was moved or events were removed",
                count + 1 if head[0] > count else head[0],
            )
        self._check_checkpoints()

    def _check_checkpoints(self) -> None:
        if self.checkpoints is None:
            return
        count = self.events_checked
        covered: list[tuple[int, int]] = []
        restores = [
            (line, checkpoint.end)
            for line, checkpoint in self.checkpoints
            if checkpoint is not None and checkpoint.by == RESTORE_POINT
        ]
        for line, checkpoint in self.checkpoints:
            if checkpoint is None:
                continue
            # A later restore point cut the chain back: what this line signed beyond it was lost
            # with the restore (and the positions since hold new events), so it is not checked.
            kept = min((end for at, end in restores if at > line), default=None)
            for position, signed in (
                (checkpoint.start, checkpoint.start_hash),
                (checkpoint.end, checkpoint.end_hash),
            ):
                if kept is not None and position > kept:
                    continue
                if position > count:
                    self._problem(
                        f"truncated: checkpoint line {line} signed {position} events, "
                        f"the chain has {count}",
                        count + 1,
                    )
                    break
                if self._hash_at.get(position) != signed:
                    self._problem(
                        f"event {position} differs from checkpoint line {line}: "
                        "the chain was rewritten",
                        position,
                    )
                    break
            else:
                # A restore point vouches for nothing by itself: the events it names must have
                # been signed before the backup, or a forged append would be restored as signed.
                end = checkpoint.end if kept is None else min(checkpoint.end, kept)
                if checkpoint.by != RESTORE_POINT and checkpoint.start < end:
                    covered.append((checkpoint.start, end))
        for first, last in _gaps(covered, count):
            self.unsigned.append((first, last))
            self._problem(
                f"events {first}..{last} are covered by no signed checkpoint: appended outside "
                "the application (or it stopped between committing and signing)",
                first,
            )

    def rows(self, table: str, digests: Iterable[tuple[int, str]]) -> None:
        """The current rows of one append-only table, as (row id, digest of the stored row)."""
        if not self._chain_ok:
            return
        seen: set[int] = set()
        for row_id, digest in digests:
            self.rows_checked += 1
            seen.add(row_id)
            sealed = self._seals.get((table, row_id))
            if sealed is None:
                self._problem(
                    f"{table} row {row_id} is sealed by no audit event "
                    "(inserted outside the application)"
                )
            elif sealed[0] != digest:
                self._problem(
                    f"{table} row {row_id} changed since event {sealed[1]} sealed it", sealed[1]
                )
        for (sealed_table, row_id), (_, event_id) in sorted(self._seals.items()):
            if sealed_table == table and row_id not in seen:
                self._problem(
                    f"{table} row {row_id}, sealed by event {event_id}, is missing (deleted)",
                    event_id,
                )

    def verdict(self) -> ChainVerdict:
        first = self.problems[0] if self.problems else None
        return ChainVerdict(
            intact=not self.problems,
            events_checked=self.events_checked,
            first_broken_id=self.first_broken_id,
            reason=first,
            problems=tuple(self.problems),
            rows_checked=self.rows_checked,
            checkpoints_checked=sum(1 for _, c in self.checkpoints or () if c is not None),
        )


def _gaps(ranges: Iterable[tuple[int, int]], count: int) -> list[tuple[int, int]]:
    """The stretches of 1..count that no half-open range (start, end] covers."""
    gaps, next_uncovered = [], 1
    for start, end in sorted(ranges):
        if start + 1 > next_uncovered:
            gaps.append((next_uncovered, min(start, count)))
        next_uncovered = max(next_uncovered, end + 1)
        if next_uncovered > count:
            break
    if next_uncovered <= count:
        gaps.append((next_uncovered, count))
    return [(a, b) for a, b in gaps if a <= b]
