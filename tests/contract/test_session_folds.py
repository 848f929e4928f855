"""The kept fold of a session (services.sessions.folds, ADR 0203) is the full replay.

After any sequence of entries, appended in any batches by any number of transactions, the fold
`folded_session` answers equals `fold` over every stored entry: on the in-memory fake, SQLite and
PostgreSQL. The sequences are random with fixed seeds (the same cases every run); the expected
value is always the full replay of the same stored entries, never the kept fold's own output.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, enrol, seed
from mdma_at.domain.dosing import DosingRules
from mdma_at.domain.dosing.entries import Folded, check_payload, fold, step
from mdma_at.domain.dosing.records import DosingSession, EntryKind, NewEntry
from mdma_at.domain.errors import InvalidInput
from mdma_at.protocols import get_protocol
from mdma_at.services.ports import UnitOfWork
from mdma_at.services.sessions.folds import folded_session

RULES = get_protocol("mapp_v1").dosing
SEX = "female"  # contract.seed's patients are female
SEEDS = range(10)
ENTRIES = 60  # tries per sequence: enough for doses, alerts, overrides and discharges


def _raw(rng: random.Random) -> tuple[EntryKind, dict[str, Any], str]:
    """A random entry as entered: its kind, fields and the role recording it."""
    kind = rng.choice(
        [EntryKind.VITALS] * 6
        + [
            EntryKind.REQUEST_INITIAL,
            EntryKind.REQUEST_SUPPLEMENTAL,
            EntryKind.REQUEST_DISCHARGE,
            EntryKind.OVERRIDE,
            EntryKind.ACKNOWLEDGE,
            EntryKind.SUDS,
            EntryKind.CSSRS,
            EntryKind.NOTE,
            EntryKind.PRESENCE,
            EntryKind.ADVERSE_EVENT,
            EntryKind.CHECKLIST,
        ]
    )
    role = rng.choice(["physician", "therapist"])
    raw: dict[str, Any] = {
        EntryKind.VITALS: {  # normal to critical, so alerts rise, clear and page
            "systolic": rng.choice([118] * 12 + [135, 165, 185, 205]),
            "diastolic": rng.choice([76] * 12 + [88, 100, 112]),
            "heart_rate": rng.choice([64] * 12 + [95, 118, 135]),
            "temperature_c": rng.choice([36.8] * 12 + [37.9, 38.6, None]),
        },
        EntryKind.REQUEST_INITIAL: {"mg": rng.choice([80, 80, 120])},
        EntryKind.REQUEST_SUPPLEMENTAL: {"mg": rng.choice([40, 60, 80])},
        EntryKind.REQUEST_DISCHARGE: {
            "physician_signoff": rng.random() < 0.5,
            "escort": rng.random() < 0.7,
            "overnight_stay": rng.random() < 0.3,
        },
        EntryKind.OVERRIDE: {
            "action": rng.choice(["initial", "supplemental", "discharge"]),
            "reason": "seen by the physician",
        },
        EntryKind.ACKNOWLEDGE: {"note": "seen"},
        EntryKind.SUDS: {"value": rng.choice([0, 3, 7, 10])},
        EntryKind.CSSRS: {"risk": rng.choice(["none", "none", "low", "high"])},
        EntryKind.NOTE: {"text": "resting"},
        EntryKind.PRESENCE: {"name": "Sam", "role": "therapist", "change": "arrived"},
        EntryKind.ADVERSE_EVENT: {
            "term": rng.choice(["headache", "bruxism", "chest pain"]),
            "severity": rng.choice(["mild", "moderate", "severe"]),
            "serious": rng.random() < 0.2,
            "relatedness": "possible",
        },
        EntryKind.CHECKLIST: {
            "consent_current": True,
            "eligibility_signed": True,
            "washout_complete": rng.random() < 0.95,
            "fasting_hours": rng.choice([4, 10, 10, 10]),
            "providers_present": 2,
            "pregnancy_test": "negative",
            "pregnancy_test_date": "2026-11-22",
        },
    }[kind]
    return kind, raw, role


# A good checklist, normal vitals and the protocol's first dose (allowed), then random entries.
_PRELUDE = [
    (
        EntryKind.CHECKLIST,
        {
            "consent_current": True,
            "eligibility_signed": True,
            "washout_complete": True,
            "fasting_hours": 10,
            "providers_present": 2,
            "pregnancy_test": "negative",
            "pregnancy_test_date": "2026-11-22",
        },
        "physician",
    ),
    (
        EntryKind.VITALS,
        {"systolic": 118, "diastolic": 76, "heart_rate": 64, "temperature_c": 36.8},
        "therapist",
    ),
    (EntryKind.REQUEST_INITIAL, {"mg": 80}, "physician"),
]


def _payload(kind: EntryKind, raw: dict[str, Any], role: str) -> dict[str, Any]:
    payload = check_payload(kind, raw, recorded_by_physician=role == "physician", rules=RULES)
    if kind is EntryKind.CHECKLIST:  # the services add what the records say (the gate)
        payload.update({k: raw[k] for k in ("consent_current", "eligibility_signed")})
        payload.update(washout_complete=raw["washout_complete"], from_records=[])
    if kind is EntryKind.REQUEST_INITIAL:
        payload["records"] = {"cssrs_risk": "none", "safety_alert_open": False}
    return payload


def _full_replay(uow: UnitOfWork, session: DosingSession) -> Folded:
    return fold(session, SEX, uow.session_entries.for_session(session.id), RULES)


def _new_session(new_uow: UowFactory) -> tuple[DosingSession, int]:
    with new_uow() as uow:
        s = seed(uow)
        _, visit = enrol(uow, s.patient)
        session = uow.dosing_sessions.add(s.patient.id, visit.id, "mapp_v1", 1, T0, None, False, 64)
        uow.commit()
    return session, s.physician.id


def _append_one(
    uow: UnitOfWork, session: DosingSession, rng: random.Random, t: Any, by: int
) -> bool:
    """Append a random entry the engine accepts after the stored ones (False: none fits, e.g.
    the session was discharged). Each starts with `_PRELUDE`, so a dose is given."""
    folded = folded_session(uow, session, SEX, RULES)
    state = folded.state
    kind, raw, role = _PRELUDE[len(folded.steps)] if len(folded.steps) < 3 else _raw(rng)
    try:
        payload = _payload(kind, raw, role)
        result = step(state, kind, t, payload, role, RULES)
    except InvalidInput:
        return False
    decision = result.decision
    new = NewEntry(
        t,
        kind,
        payload,
        None if decision is None else decision.allowed,
        () if decision is None else tuple(str(r) for r in decision.reasons),
    )
    uow.session_entries.append(session.id, new, by, "Dr Ng", role, t)
    return True


@pytest.mark.parametrize("case", SEEDS)
def test_the_kept_fold_equals_the_full_replay_after_any_sequence(
    new_uow: UowFactory, case: int
) -> None:
    rng = random.Random(20261203 + case)
    session, by = _new_session(new_uow)
    t = T0
    written = 0
    while written < ENTRIES:
        with new_uow() as uow:  # a batch of 1-4 entries in one transaction, committed or not
            batch = rng.randint(1, 4)
            for _ in range(batch):
                t += timedelta(minutes=rng.choice([0, 1, 2, 5, 5, 10, 90]))
                _append_one(uow, session, rng, t, by)
                written += 1  # tries: a discharged session takes no more
            if rng.random() < 0.85:
                uow.commit()
            # else: rolled back; a fold read in it (it appended) must not have been kept
        with new_uow() as uow:  # a poll, and sometimes a second poll of the same state
            for _ in range(rng.choice([1, 1, 2])):
                assert folded_session(uow, session, SEX, RULES) == _full_replay(uow, session)
    with new_uow() as uow:
        assert len(uow.session_entries.for_session(session.id)) > 0  # the case did write


def test_a_fold_read_by_a_transaction_that_appended_is_never_kept(new_uow: UowFactory) -> None:
    session, by = _new_session(new_uow)
    rng = random.Random(7)
    with new_uow() as uow:
        assert _append_one(uow, session, rng, T0, by)
        assert len(folded_session(uow, session, SEX, RULES).steps) == 1  # its own, uncommitted
        kept = uow.folds.get(session.id)  # kept before the append (the empty session), not after
        assert kept is not None and kept.count == 0
        # rolled back: the entry never existed
    with new_uow() as uow:
        assert folded_session(uow, session, SEX, RULES) == _full_replay(uow, session)
        assert uow.session_entries.for_session(session.id) == []


def test_a_kept_fold_from_another_start_is_not_used(new_uow: UowFactory) -> None:
    """Other rules, another sex or other session facts than the kept fold's: the full replay."""
    session, by = _new_session(new_uow)
    rng = random.Random(11)
    with new_uow() as uow:
        for minutes in range(0, 60, 10):
            _append_one(uow, session, rng, T0 + timedelta(minutes=minutes), by)
        uow.commit()
    stricter: DosingRules = replace(
        RULES, readings_to_clear=replace(RULES.readings_to_clear, value=5)
    )
    with new_uow() as uow:
        folded_session(uow, session, SEX, RULES)  # kept for these rules
        assert folded_session(uow, session, SEX, stricter) == fold(
            session, SEX, uow.session_entries.for_session(session.id), stricter
        )
        heavier = replace(session, weight_kg=90.0)
        assert folded_session(uow, heavier, "male", RULES) == fold(
            heavier, "male", uow.session_entries.for_session(session.id), RULES
        )


def test_a_kept_fold_that_is_ahead_of_the_database_is_not_used(new_uow: UowFactory) -> None:
    """A kept fold covering entries the database no longer has (a restore, say): the counts
    disagree, so the full replay answers."""
    session, by = _new_session(new_uow)
    rng = random.Random(13)
    with new_uow() as uow:
        for minutes in range(0, 30, 10):
            _append_one(uow, session, rng, T0 + timedelta(minutes=minutes), by)
        uow.commit()
    with new_uow() as uow:
        real = folded_session(uow, session, SEX, RULES)
        kept = uow.folds.get(session.id)
        assert kept is not None and kept.count == len(real.steps)
        uow.folds.keep(session.id, replace(kept, count=kept.count + 1))  # claims one more
        assert folded_session(uow, session, SEX, RULES) == _full_replay(uow, session)


def test_after_and_tally_read_the_entries_since(new_uow: UowFactory) -> None:
    session, by = _new_session(new_uow)
    with new_uow() as uow:
        assert uow.session_entries.tally(session.id) == (0, 0)
        assert uow.session_entries.appended_to() == frozenset()
        entries = [
            uow.session_entries.append(
                session.id, NewEntry(T0, EntryKind.NOTE, {"text": f"n{i}"}), by, "Dr Ng", None, T0
            )
            for i in range(3)
        ]
        assert uow.session_entries.appended_to() == frozenset({session.id})
        uow.commit()
    with new_uow() as uow:
        assert uow.session_entries.tally(session.id) == (3, entries[-1].id)
        assert uow.session_entries.after(session.id, 0) == entries
        assert uow.session_entries.after(session.id, entries[0].id) == entries[1:]
        assert uow.session_entries.after(session.id, entries[-1].id) == []
        assert uow.session_entries.tally(999) == (0, 0)
        assert uow.session_entries.appended_to() == frozenset()
