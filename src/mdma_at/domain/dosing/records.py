"""A dosing session and its entries as stored (issue 5, items 3–5).

The session row holds what is fixed when the session starts; every entry (vitals, requests with
the rules' decision, overrides, adverse events, ...) is appended and never changed. The state the
rules read is a fold over the entries (`domain.dosing.entries.fold`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class SessionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # by an allowed discharge; nothing can be recorded after it


class EntryKind(StrEnum):
    """What an entry records. The first seven, SUDS and C-SSRS are the replay contract's event
    types."""

    VITALS = "vitals"
    REQUEST_INITIAL = "request_initial"
    REQUEST_SUPPLEMENTAL = "request_supplemental"
    REQUEST_DISCHARGE = "request_discharge"
    OVERRIDE = "override"
    ACKNOWLEDGE = "acknowledge"
    ADVERSE_EVENT = "adverse_event"
    SUDS = "suds"  # a distress rating on the protocol's scale
    CSSRS = "cssrs"  # a C-SSRS screener's risk level (at discharge)
    ESCALATE = "escalate"  # the physician is called for (paged when a notifier is set up)
    NOTE = "note"
    PRESENCE = "presence"  # someone arrived in or left the room
    CHECKLIST = "checklist"  # the pre-dose checklist, confirmed by a physician
    #: A late entry after discharge closed the session: text, a required reason, the time it
    #: refers to (`t`); its author and when it was written are the entry's own. No rule reads it.
    ADDENDUM = "addendum"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    EntryKind.VITALS: "Vital signs",
    EntryKind.REQUEST_INITIAL: "Initial dose",
    EntryKind.REQUEST_SUPPLEMENTAL: "Supplemental dose",
    EntryKind.REQUEST_DISCHARGE: "Discharge",
    EntryKind.OVERRIDE: "Physician override",
    EntryKind.ACKNOWLEDGE: "Alerts acknowledged",
    EntryKind.ADVERSE_EVENT: "Adverse event",
    EntryKind.SUDS: "Distress (SUDS)",
    EntryKind.CSSRS: "C-SSRS screener",
    EntryKind.ESCALATE: "Escalation: physician called for",
    EntryKind.NOTE: "Note",
    EntryKind.PRESENCE: "Presence",
    EntryKind.CHECKLIST: "Pre-dose checklist",
    EntryKind.ADDENDUM: "Addendum",
}


@dataclass(frozen=True, slots=True)
class DosingSession:
    """One dosing session, tied to the patient's dosing visit (e.g. ``es1``)."""

    id: int
    patient_id: int
    visit_id: int
    protocol: str
    session_number: int
    started_at: datetime
    started_by: int | None
    childbearing_potential: bool
    weight_kg: float | None
    status: SessionStatus
    closed_at: datetime | None = None

    @property
    def closed(self) -> bool:
        return self.status is SessionStatus.CLOSED


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry about to be appended: its time, kind, validated payload and, for a request, the
    rules' decision (allowed, reasons as ``"<code>: <message> [<source>]"``)."""

    t: datetime
    kind: EntryKind
    payload: dict[str, Any]
    allowed: bool | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """A stored entry, with who recorded it, under which role, and when."""

    id: int
    session_id: int
    t: datetime
    kind: EntryKind
    payload: dict[str, Any]
    allowed: bool | None
    reasons: tuple[str, ...]
    recorded_by: int | None
    recorded_by_name: str
    role: str | None
    recorded_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)
