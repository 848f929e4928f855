"""Informed consent through the real services, on SQLite and PostgreSQL: versioned documents per
site, signatures with a witness, withdrawal, and the status a dosing session asks for."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mdma_at.bootstrap import Container
from mdma_at.domain.errors import Conflict, InvalidInput, PermissionDenied
from mdma_at.domain.screening import ConsentDocument, ConsentStatus
from mdma_at.services.patients import consent
from support.clinic import Clinic, register


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).replace(hour=hour)


def publish(ctx: Container, clinic: Clinic, version: int, effective: str) -> ConsentDocument:
    return consent.publish_consent_document(
        ctx.uow(),
        ctx.clock,
        clinic.admin,
        clinic.site_a.id,
        title="Consent to MDMA-assisted therapy",
        version=version,
        effective_on=date.fromisoformat(effective),
        reference=f"ICF v{version}.0",
    )


def sign(ctx: Container, clinic: Clinic, patient_id: int, document_id: int, when: str) -> None:
    consent.sign_consent(
        ctx.uow(),
        ctx.clock,
        clinic.coordinator_a,
        patient_id,
        document_id=document_id,
        signed_name="Jordan Reyes",
        witness_id=clinic.therapist_a.user_id,
        signed_at=at(when),
    )


def status(ctx: Container, patient_id: int, on: str) -> ConsentStatus:
    return consent.consent_status(ctx.uow(), patient_id, date.fromisoformat(on))


def test_consent_goes_from_none_to_current_to_outdated_to_current_to_withdrawn(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    v1 = publish(ctx, clinic, 1, "2026-01-01")
    assert status(ctx, patient.id, "2026-11-01") is ConsentStatus.NONE
    sign(ctx, clinic, patient.id, v1.id, "2026-03-01")
    assert status(ctx, patient.id, "2026-02-28") is ConsentStatus.NONE
    assert status(ctx, patient.id, "2026-03-01") is ConsentStatus.CURRENT
    v2 = publish(ctx, clinic, 2, "2026-06-01")
    assert status(ctx, patient.id, "2026-05-31") is ConsentStatus.CURRENT
    assert status(ctx, patient.id, "2026-06-01") is ConsentStatus.OUTDATED
    sign(ctx, clinic, patient.id, v2.id, "2026-06-10")
    assert status(ctx, patient.id, "2026-06-10") is ConsentStatus.CURRENT
    consent.withdraw_consent(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "changed her mind", at("2026-07-01")
    )
    assert status(ctx, patient.id, "2026-06-30") is ConsentStatus.CURRENT
    assert status(ctx, patient.id, "2026-07-01") is ConsentStatus.WITHDRAWN
    decision = consent.dosing_consent(
        ctx.uow(), ctx.clock, clinic.therapist_a, patient.id, date(2026, 7, 2)
    )
    assert not decision.allowed and "withdrawn" in decision.reason
    with ctx.uow() as uow:
        actions = [e.content.action for e in uow.audit.events()]
    assert actions.count("consent_signed") == 2
    assert actions.count("consent_document_published") == 2
    assert "consent_withdrawn" in actions


def test_an_outdated_consent_refuses_the_next_dosing_session_until_re_consent(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    v1 = publish(ctx, clinic, 1, "2026-01-01")
    sign(ctx, clinic, patient.id, v1.id, "2026-03-01")
    publish(ctx, clinic, 2, "2026-11-01")
    decision = consent.dosing_consent(
        ctx.uow(), ctx.clock, clinic.therapist_a, patient.id, date(2026, 11, 20)
    )
    assert not decision.allowed and decision.status is ConsentStatus.OUTDATED
    assert "re-consent" in decision.reason


def test_document_versions_only_go_up_and_take_effect_in_order(ctx, clinic) -> None:
    publish(ctx, clinic, 1, "2026-03-01")
    with pytest.raises(InvalidInput) as refused:
        publish(ctx, clinic, 1, "2026-04-01")
    assert refused.value.field == "version"
    with pytest.raises(InvalidInput) as refused:
        publish(ctx, clinic, 2, "2026-02-01")
    assert refused.value.field == "effective_on"
    with pytest.raises(InvalidInput) as refused:
        consent.publish_consent_document(
            ctx.uow(),
            ctx.clock,
            clinic.admin,
            clinic.site_a.id,
            title="No text",
            version=2,
            effective_on=date(2026, 5, 1),
        )
    assert refused.value.field == "text"


def test_a_therapist_may_not_publish_a_consent_document(ctx, clinic) -> None:
    with pytest.raises(PermissionDenied):
        consent.publish_consent_document(
            ctx.uow(),
            ctx.clock,
            clinic.therapist_a,
            clinic.site_a.id,
            title="t",
            version=1,
            effective_on=date(2026, 1, 1),
            text="x",
        )


def test_a_signature_needs_a_name_a_witness_at_the_site_and_a_time_not_in_the_future(
    ctx, clinic
) -> None:
    patient = register(ctx, clinic)
    v1 = publish(ctx, clinic, 1, "2026-01-01")

    def attempt(**changes: object) -> InvalidInput:
        values: dict[str, object] = {
            "document_id": v1.id,
            "signed_name": "Jordan Reyes",
            "witness_id": clinic.therapist_a.user_id,
            "signed_at": at("2026-03-01"),
        }
        values.update(changes)
        with pytest.raises(InvalidInput) as refused:
            consent.sign_consent(
                ctx.uow(),
                ctx.clock,
                clinic.coordinator_a,
                patient.id,
                **values,  # type: ignore[arg-type]
            )
        return refused.value

    assert attempt(signed_name="  ").field == "signed_name"
    assert attempt(witness_id=clinic.therapist_b.user_id).field == "witness_id"
    assert attempt(signed_at=at("2026-11-23")).field == "signed_at"
    assert attempt(signed_at=at("2025-12-31")).field == "signed_at"
    assert attempt(document_id=9999).field == "document_id"
    assert status(ctx, patient.id, "2026-11-22") is ConsentStatus.NONE


def test_withdrawal_needs_a_reason_and_a_consent_to_withdraw(ctx, clinic) -> None:
    patient = register(ctx, clinic)
    with pytest.raises(InvalidInput) as refused:
        consent.withdraw_consent(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, " ")
    assert refused.value.field == "reason"
    with pytest.raises(Conflict, match="no consent to withdraw"):
        consent.withdraw_consent(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "stop")


def test_consent_records_are_append_only_in_the_database(ctx, clinic) -> None:
    from sqlalchemy import text

    patient = register(ctx, clinic)
    v1 = publish(ctx, clinic, 1, "2026-01-01")
    sign(ctx, clinic, patient.id, v1.id, "2026-03-01")
    with ctx.engine.connect() as db, pytest.raises(Exception, match="append-only"):
        db.execute(text("UPDATE consent_signatures SET signed_name = 'someone else'"))
