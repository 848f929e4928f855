"""The audit trail: a hash chain every adapter builds with the same domain functions, sealing the
append-only rows; and the append-only repositories offer no way to change history."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, audit, enrol, seed
from mdma_at.domain.audit import GENESIS_HASH, AuditContent, TrailCheck, utc_stamp
from mdma_at.domain.dosing.records import EntryKind, NewEntry
from mdma_at.services.ports import UnitOfWork


def _trail_verdict(uow: UnitOfWork) -> TrailCheck:
    check = TrailCheck(checkpoints=None)
    for event in uow.audit.events():
        check.event(event)
    check.head(uow.audit.head())
    for table in uow.audit.sealed_tables():
        check.rows(table, uow.audit.stored_rows(table))
    return check


def test_an_empty_trail_has_no_head(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        assert uow.audit.head() is None and uow.audit.head_hash() is None
        assert list(uow.audit.events()) == [] and uow.audit.recent() == []


def test_events_link_into_a_chain_that_verifies(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        first = uow.audit.append(_content("one"))
        second = uow.audit.append(_content("two"))
        uow.commit()
    with new_uow() as uow:
        assert (first.id, first.prev_hash) == (1, GENESIS_HASH)
        assert (second.id, second.prev_hash) == (2, first.hash)
        assert uow.audit.head() == (2, second.hash) and uow.audit.head_hash() == second.hash
        assert (uow.audit.hash_at(1), uow.audit.hash_at(2)) == (first.hash, second.hash)
        assert uow.audit.hash_at(3) is None  # no such event
        assert list(uow.audit.events()) == [first, second]
        verdict = _trail_verdict(uow).verdict()
        assert verdict.intact, verdict.problems
        assert verdict.events_checked == 2


def test_appends_rolled_back_leave_the_chain_as_it_was(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        kept = uow.audit.append(_content("kept"))
        uow.commit()
        uow.audit.append(_content("dropped"))
    with new_uow() as uow:
        assert uow.audit.head() == (1, kept.hash)
        assert uow.audit.append(_content("next")).prev_hash == kept.hash


def test_recent_is_newest_first_filtered_and_limited(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        for n in range(5):
            uow.audit.append(_content(f"a{n}", entity_type="patient", entity_id=str(n % 2)))
        uow.audit.append(_content("site", entity_type="site", entity_id="1"))
        uow.commit()
    with new_uow() as uow:
        assert [e.id for e in uow.audit.recent()] == [6, 5, 4, 3, 2, 1]
        assert [e.id for e in uow.audit.recent(limit=2)] == [6, 5]
        assert [e.id for e in uow.audit.recent(entity_type="patient", entity_id="0")] == [5, 3, 1]
        assert [e.id for e in uow.audit.recent(limit=1, entity_type="patient")] == [5]


def test_append_only_rows_are_sealed_by_the_next_event_or_on_commit(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        session = _session(uow, s.patient.id)
        entry = uow.session_entries.append(session, _vitals(), s.therapist.id, "Tess", None, T0)
        event = uow.audit.append(_content("entry recorded"))
        late = uow.session_entries.append(session, _vitals(), s.therapist.id, "Tess", None, T0)
        uow.commit()  # `late` has no event of its own: the commit seals it
    with new_uow() as uow:
        assert json.loads(event.content.sealed_rows or "{}").keys() == {"dosing_session_events"}
        assert (
            str(entry.id) in json.loads(event.content.sealed_rows or "{}")["dosing_session_events"]
        )
        last = uow.audit.recent(limit=1)[0]
        assert (last.content.action, last.content.actor) == ("rows_sealed", "test")
        assert str(late.id) in json.loads(last.content.sealed_rows or "{}")["dosing_session_events"]
        verdict = _trail_verdict(uow).verdict()
        assert verdict.intact, verdict.problems
        assert verdict.rows_checked == 2


@pytest.mark.parametrize(
    ("repository", "verbs"),
    [
        ("audit", ("update", "delete", "remove")),
        ("session_entries", ("update", "delete", "remove", "replace")),
        ("register", ("update", "delete", "remove", "update_movement", "delete_movement")),
    ],
)
def test_append_only_repositories_offer_no_way_to_change_a_row(
    new_uow: UowFactory, repository: str, verbs: tuple[str, ...]
) -> None:
    with new_uow() as uow:
        found = getattr(uow, repository)
        assert [verb for verb in verbs if hasattr(found, verb)] == []


def _content(action: str, entity_type: str = "test", entity_id: str | None = None) -> AuditContent:
    return AuditContent(
        utc_stamp(T0 + timedelta(seconds=1)),
        None,
        "test",
        None,
        None,
        action,
        entity_type,
        entity_id,
        None,
        None,
        None,
    )


def _session(uow: UnitOfWork, patient_id: int) -> int:
    patient = uow.patients.get(patient_id)
    assert patient is not None
    _, visit = enrol(uow, patient)
    return uow.dosing_sessions.add(patient_id, visit.id, "mapp_v1", 1, T0, None, False, 70.0).id


def _vitals() -> NewEntry:
    return NewEntry(T0, EntryKind.VITALS, {"systolic": 120, "diastolic": 80, "heart_rate": 70})


def test_the_seed_is_audited(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        seed(uow)
        audit(uow, "more")
        uow.commit()
    with new_uow() as uow:
        assert [e.content.action for e in uow.audit.events()] == ["seeded", "more"]
