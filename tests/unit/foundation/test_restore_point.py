"""A restore point in the checkpoint log (ADR 0200): what it excuses and what it never does.

The chains here are built by hand, event by event, so every expected verdict follows from the
definitions in ADR 0105 (checkpoints sign positions and hashes) and ADR 0200 (a restore point
cuts back the lines before it), not from the code under test."""

from __future__ import annotations

from mdma_at.domain.audit import (
    GENESIS_HASH,
    RESTORE_POINT,
    AuditContent,
    AuditEvent,
    Checkpoint,
    TrailCheck,
    chain_hash,
)

AT = "2026-12-03T10:00:00.000000Z"


def chain(actions: list[str], prev: str = GENESIS_HASH, first_id: int = 1) -> list[AuditEvent]:
    events = []
    for offset, action in enumerate(actions):
        content = AuditContent(AT, 1, "t.a", "therapist", 1, action, "test", None, None, None, None)
        digest = chain_hash(content, prev)
        events.append(AuditEvent(first_id + offset, content, prev, digest))
        prev = digest
    return events


def signed(events: list[AuditEvent], start: int, end: int, by: str = "app") -> Checkpoint:
    """A checkpoint over events start+1..end of `events` (positions are 1-based ids)."""
    start_hash = GENESIS_HASH if start == 0 else events[start - 1].hash
    return Checkpoint(start, start_hash, end, events[end - 1].hash, AT, by)


def verdict(events: list[AuditEvent], log: list[Checkpoint]) -> tuple[bool, list[str]]:
    check = TrailCheck(list(enumerate(log, start=1)))
    for event in events:
        check.event(event)
    check.head((events[-1].id, events[-1].hash) if events else None)
    return check.verdict().intact, check.problems


# The live clinic wrote six events, each signed; the backup was taken after the fourth.
LIVE = chain(["a", "b", "c", "d", "e", "f"])
LIVE_LOG = [signed(LIVE, n, n + 1) for n in range(6)]
RESTORED = LIVE[:4]


def test_without_a_restore_point_the_lost_tail_is_a_truncation() -> None:
    intact, problems = verdict(RESTORED, LIVE_LOG)
    assert not intact
    assert problems[0] == "truncated: checkpoint line 5 signed 5 events, the chain has 4"


def test_a_restore_point_excuses_the_lost_tail_and_new_writes_verify_after_it() -> None:
    log = [*LIVE_LOG, signed(RESTORED, 0, 4, RESTORE_POINT)]
    assert verdict(RESTORED, log) == (True, [])
    # Two new events after the restore take positions 5 and 6 again, with other hashes.
    after = RESTORED + chain(["x", "y"], prev=RESTORED[-1].hash, first_id=5)
    log += [signed(after, 4, 5), signed(after, 5, 6)]
    assert after[4].hash != LIVE[4].hash
    assert verdict(after, log) == (True, [])


def test_a_restore_point_never_excuses_a_rewrite_before_it() -> None:
    rewritten = chain(["a", "B", "c", "d"])  # event 2 differs from what line 2 signed
    log = [*LIVE_LOG, signed(rewritten, 0, 4, RESTORE_POINT)]
    intact, problems = verdict(rewritten, log)
    assert not intact
    assert problems[0] == "event 2 differs from checkpoint line 2: the chain was rewritten"


def test_a_restore_point_vouches_for_no_event_nobody_signed() -> None:
    # Event 4 was appended outside the application before the backup: no line signed it.
    log = [*LIVE_LOG[:3], signed(RESTORED, 0, 4, RESTORE_POINT)]
    intact, problems = verdict(RESTORED, log)
    assert not intact
    assert problems[0].startswith("events 4..4 are covered by no signed checkpoint")
