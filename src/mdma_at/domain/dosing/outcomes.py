"""What one stored session entry caused, as domain events for the rest of the system (ADR 0009).

The fold says what the rules think (`entries.step`); this compares the state before an entry
with the state after it and names what changed that someone outside the session must hear of:
an alert raised, resolved or acknowledged, the physician called for, a dose given, the session
discharged. Pure: the service emits the events into its unit of work.
"""

from __future__ import annotations

from mdma_at.domain.dosing.entries import Step
from mdma_at.domain.dosing.records import DosingSession, EntryKind, SessionEntry
from mdma_at.domain.dosing.session import SessionState
from mdma_at.domain.events import (
    AlertAcknowledged,
    AlertRaised,
    AlertResolved,
    DomainEvent,
    DoseGiven,
    PhysicianCalled,
    SessionDischarged,
)


def session_events(
    session: DosingSession, entry: SessionEntry, before: SessionState, after: Step
) -> tuple[DomainEvent, ...]:
    """The events `entry` (just stored, with its step `after`) caused, given the state
    `before` it. Every critical reading is an `AlertRaised`, even while an alert is active:
    each new critical reading pages again (ADR 0121)."""
    ids = (session.id, session.patient_id, entry.id, entry.t)
    state = after.state
    out: list[DomainEvent] = []
    if after.alerts:
        level = max((a.alert.level for a in after.alerts), key=lambda level: level.rank)
        readings = tuple(f"{a.alert.parameter} {a.alert.value:g}" for a in after.alerts)
        out.append(AlertRaised(*ids, level, readings))
    if before.alerts.active and not state.alerts.active:
        out.append(AlertResolved(*ids))
    acknowledged = state.alerts.acknowledged_at
    if acknowledged is not None and acknowledged != before.alerts.acknowledged_at:
        out.append(AlertAcknowledged(*ids))
    if entry.kind is EntryKind.ESCALATE:
        out.append(PhysicianCalled(*ids, str(entry.payload.get("note") or "")))
    for dose, was, now in (
        ("initial", before.initial, state.initial),
        ("supplemental", before.supplemental, state.supplemental),
    ):
        if was is None and now is not None:
            out.append(DoseGiven(*ids, dose, now.mg))
    if before.discharged_at is None and state.discharged_at is not None:
        out.append(SessionDischarged(*ids))
    return tuple(out)
