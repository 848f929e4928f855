"""The demo clinic's register (issue 15, item 6), seeded through the real services on both
databases: two lots received, each demo session supplied and dosed from its dispensing, one
witnessed waste, the completed session reconciled."""

from __future__ import annotations

from mdma_at.bootstrap import Container
from mdma_at.demo.register import pharmacist
from mdma_at.demo.sessions import COMPLETED, IN_PROGRESS
from mdma_at.domain.accountability import Contents, Kind
from mdma_at.domain.blinding import disclose
from mdma_at.domain.dosing.records import EntryKind
from mdma_at.services.audit import verify_audit_chain
from mdma_at.services.register import ledger as reg


def test_the_demo_register_is_stocked_and_its_sessions_dosed_from_it(demo_ctx: Container) -> None:
    who = pharmacist(demo_ctx.uow)
    site_id = next(iter(who.site_ids))
    lines = reg.stock(demo_ctx.uow(), demo_ctx.clock, who, site_id)
    # the contents are concealed values, disclosed to the pharmacist (ADR 0110, 0165)
    assert {line.contents for line in disclose(lines, who)} == {Contents.ACTIVE, Contents.PLACEBO}
    with demo_ctx.uow() as uow:
        books = reg.load_books(uow)
        sessions = {
            sid: next(iter(uow.dosing_sessions.for_patient(p.id)))
            for sid in (COMPLETED, IN_PROGRESS)
            if (p := uow.patients.by_study_id(sid)) is not None
        }
        entries = {sid: uow.session_entries.for_session(s.id) for sid, s in sessions.items()}
    # The demo script (demo/sessions.py) in 20 mg capsules plus one spare: the completed
    # session's 80 + 40 mg are 4 + 2 capsules of 7 dispensed, the spare wasted; the session in
    # progress was given 120 mg (6 capsules) of 10 dispensed (6 + 3 for the 60 mg supplemental
    # its palpitations hold + 1 spare), so it still holds 4.
    done = books.session(sessions[COMPLETED].id)
    assert (done.dispensed, done.administered, done.returned, done.wasted) == (7, 6, 0, 1)
    assert sessions[COMPLETED].id in books.closed_sessions
    running = books.session(sessions[IN_PROGRESS].id)
    assert (running.dispensed, running.administered, running.held) == (10, 6, 4)
    wastes = [m for m in books.movements.values() if m.kind is Kind.WASTE]
    assert len(wastes) == 1 and wastes[0].witness_id not in (None, wastes[0].recorded_by)
    for sid in (COMPLETED, IN_PROGRESS):
        given = [
            e for e in entries[sid]
            if e.kind in (EntryKind.REQUEST_INITIAL, EntryKind.REQUEST_SUPPLEMENTAL) and e.allowed
        ]  # fmt: skip
        assert given and all(e.payload["kit"]["kit_number"] == "DEMO-K-001" for e in given)
        assert all(books.movements[e.payload["kit"]["movement_id"]].kind is Kind.ADMINISTER
                   for e in given)  # fmt: skip
    assert verify_audit_chain(demo_ctx.uow()).intact
