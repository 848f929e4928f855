"""The demo clinic's screening and consent, seeded through the real services on both databases."""

from __future__ import annotations

from mdma_at.bootstrap import Container
from mdma_at.domain.eligibility import Decision
from mdma_at.domain.screening import ConsentStatus
from mdma_at.services.audit import verify_audit_chain
from mdma_at.services.patients import consent


def test_the_demo_has_a_patient_in_every_decision_state_and_every_consent_state(
    demo_ctx: Container,
) -> None:
    today = demo_ctx.clock.now().date()
    with demo_ctx.uow() as uow:
        by_study = {p.details.study_id: p for p in uow.patients.search(frozenset({1}), "DEMO-", 50)}
        latest = {sid: uow.screenings.latest(p.id) for sid, p in by_study.items()}
    decisions = {s.decision for s in latest.values() if s is not None}
    assert decisions == set(Decision)
    assert latest["DEMO-003"] is not None and latest["DEMO-003"].signature is None
    overridden = latest["DEMO-004"]
    assert overridden is not None and overridden.signature is not None
    assert overridden.signature.overridden
    statuses = {
        sid: consent.consent_status(demo_ctx.uow(), p.id, today) for sid, p in by_study.items()
    }
    assert set(statuses.values()) == set(ConsentStatus)
    assert verify_audit_chain(demo_ctx.uow()).intact
