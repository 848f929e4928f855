"""The audit trail's hash chain (pure).

Each event stores the SHA-256 of its own content together with the previous event's hash, so that
altering, inserting or removing an event anywhere breaks every hash after it. The content hashed
is exactly what is stored (timestamps and JSON as text), so verification needs no re-encoding.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
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
    payload = json.dumps([asdict(content), prev_hash], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
