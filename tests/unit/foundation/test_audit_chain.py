"""The audit hash chain detects any change, insertion or removal (pure)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from mdma_at.domain.audit import (
    GENESIS_HASH,
    AuditContent,
    AuditEvent,
    canonical_json,
    chain_hash,
    utc_stamp,
    verify_chain,
)


def chain(n: int) -> list[AuditEvent]:
    events, prev = [], GENESIS_HASH
    for i in range(1, n + 1):
        content = AuditContent(
            f"2026-11-22T09:00:0{i}.000000Z",
            1,
            "dr.ng",
            "physician",
            1,
            "visit_held",
            "visit",
            str(i),
            None,
            canonical_json({"n": i}),
            None,
        )
        event = AuditEvent(i, content, prev, chain_hash(content, prev))
        events.append(event)
        prev = event.hash
    return events


def test_an_untouched_chain_verifies() -> None:
    events = chain(5)
    verdict = verify_chain(events, events[-1].hash)
    assert verdict.intact and verdict.events_checked == 5


def test_altered_content_is_caught_at_the_event_that_was_altered() -> None:
    events = chain(5)
    events[2] = replace(events[2], content=replace(events[2].content, actor="someone-else"))
    verdict = verify_chain(events)
    assert not verdict.intact
    assert verdict.first_broken_id == 3
    assert verdict.reason == "content does not match its hash"


def test_a_removed_event_breaks_the_link_of_the_next() -> None:
    events = chain(5)
    del events[1]
    verdict = verify_chain(events)
    assert (verdict.intact, verdict.first_broken_id) == (False, 3)


def test_removing_the_newest_events_is_caught_by_the_recorded_head() -> None:
    events = chain(5)
    verdict = verify_chain(events[:3], head_hash=events[-1].hash)
    assert not verdict.intact and verdict.reason == "the chain ends before its recorded head"


def test_audit_times_are_stored_in_utc_whatever_zone_they_came_in() -> None:
    local = datetime(2026, 11, 22, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    assert utc_stamp(local) == "2026-11-22T09:30:00.000000Z"
    assert utc_stamp(local.astimezone(UTC)) == utc_stamp(local)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        utc_stamp(datetime(2026, 11, 22, 10, 30))
