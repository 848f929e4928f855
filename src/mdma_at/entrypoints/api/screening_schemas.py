"""API shapes of screening and consent (issue 3). The intake itself is the documented JSON schema
of docs/screening.md, validated by `parse_intake` (so API, form and CLI give the same messages)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from mdma_at.domain.screening import (
    ConsentDocument,
    ConsentSignature,
    ConsentState,
    ConsentWithdrawal,
    DosingConsent,
    FirstDosingGate,
    ScreeningRecord,
)
from mdma_at.domain.screening.consent import MAX_REFERENCE, MAX_TITLE
from mdma_at.domain.screening.records import MAX_REASON
from mdma_at.entrypoints.api.errors import MAX_RECORD_ID
from mdma_at.entrypoints.api.schemas import RecordId, Strict

#: A consent document's full text (a long form is some 60,000 characters); site default.
MAX_CONSENT_TEXT = 200_000
#: The typed name of a signature (consent_signatures.signed_name).
MAX_SIGNED_NAME = 200


class SignatureRead(BaseModel):
    signed_by: int
    signed_by_name: str
    signed_at: datetime
    decision: str
    overridden: bool
    override_reason: str | None


class ScreeningRead(BaseModel):
    id: int
    patient_id: int
    protocol: str
    screening_date: date
    decision: str = Field(description="the engine's decision")
    final_decision: str = Field(description="the signed decision, or the engine's when unsigned")
    earliest_baseline: date | None
    recorded_by: int
    recorded_by_name: str
    recorded_at: datetime
    signature: SignatureRead | None
    intake: dict[str, Any]
    verdict: dict[str, Any] = Field(description="the `mdma-at screen --json` contract")

    @classmethod
    def of(cls, s: ScreeningRecord) -> ScreeningRead:
        g = s.signature
        return cls(
            id=s.id,
            patient_id=s.patient_id,
            protocol=s.protocol,
            screening_date=s.screening_date,
            decision=s.decision.value,
            final_decision=s.final_decision.value,
            earliest_baseline=s.earliest_baseline,
            recorded_by=s.recorded_by,
            recorded_by_name=s.recorded_by_name,
            recorded_at=s.recorded_at,
            signature=SignatureRead(
                signed_by=g.signed_by,
                signed_by_name=g.signed_by_name,
                signed_at=g.signed_at,
                decision=g.decision.value,
                overridden=g.overridden,
                override_reason=g.override_reason,
            )
            if g
            else None,
            intake=dict(s.intake),
            verdict=dict(s.verdict),
        )


class ScreeningSign(Strict):
    decision: str | None = Field(
        None,
        description="the decision signed; omit to sign the engine's decision. An override "
        "(another decision) needs a reason",
        examples=["eligible"],
        max_length=32,
    )
    reason: str = Field("", max_length=MAX_REASON)


class ConsentDocumentCreate(Strict):
    title: str = Field(max_length=MAX_TITLE)
    version: int = Field(ge=1, le=MAX_RECORD_ID)
    effective_on: date
    text: str = Field("", max_length=MAX_CONSENT_TEXT)
    reference: str = Field(
        "", description="e.g. the form's document number, when no text", max_length=MAX_REFERENCE
    )


class ConsentDocumentRead(BaseModel):
    id: int
    site_id: int
    title: str
    version: int
    effective_on: date
    text: str
    reference: str
    published_at: datetime

    @classmethod
    def of(cls, d: ConsentDocument) -> ConsentDocumentRead:
        return cls(
            id=d.id,
            site_id=d.site_id,
            title=d.title,
            version=d.version,
            effective_on=d.effective_on,
            text=d.text,
            reference=d.reference,
            published_at=d.published_at,
        )


class ConsentSignatureCreate(Strict):
    document_id: RecordId
    signed_name: str = Field(description="the name the patient typed", max_length=MAX_SIGNED_NAME)
    witness_id: RecordId = Field(description="a staff member at the patient's site")
    signed_at: datetime | None = Field(None, description="default now; UTC; never in the future")


class ConsentSignatureRead(BaseModel):
    id: int
    document_id: int
    signed_name: str
    signed_at: datetime
    witness_id: int
    witness_name: str

    @classmethod
    def of(cls, s: ConsentSignature) -> ConsentSignatureRead:
        return cls(
            id=s.id,
            document_id=s.document_id,
            signed_name=s.signed_name,
            signed_at=s.signed_at,
            witness_id=s.witness_id,
            witness_name=s.witness_name,
        )


class ConsentWithdrawalCreate(Strict):
    reason: str = Field(max_length=MAX_REASON)
    withdrawn_at: datetime | None = None


class ConsentWithdrawalRead(BaseModel):
    id: int
    withdrawn_at: datetime
    reason: str

    @classmethod
    def of(cls, w: ConsentWithdrawal) -> ConsentWithdrawalRead:
        return cls(id=w.id, withdrawn_at=w.withdrawn_at, reason=w.reason)


class ConsentRead(BaseModel):
    on: date
    status: str = Field(description="current, none, withdrawn or outdated")
    reason: str
    signed_version: int | None
    version_in_effect: int | None
    signatures: list[ConsentSignatureRead]
    withdrawals: list[ConsentWithdrawalRead]

    @classmethod
    def of(
        cls,
        state: ConsentState,
        signatures: tuple[ConsentSignature, ...],
        withdrawals: tuple[ConsentWithdrawal, ...],
    ) -> ConsentRead:
        return cls(
            on=state.on,
            status=state.status.value,
            reason=state.reason,
            signed_version=state.signed_document.version if state.signed_document else None,
            version_in_effect=(
                state.document_in_effect.version if state.document_in_effect else None
            ),
            signatures=[ConsentSignatureRead.of(s) for s in signatures],
            withdrawals=[ConsentWithdrawalRead.of(w) for w in withdrawals],
        )


class DosingConsentRead(BaseModel):
    allowed: bool
    status: str
    reason: str
    source: str

    @classmethod
    def of(cls, d: DosingConsent) -> DosingConsentRead:
        return cls(allowed=d.allowed, status=d.status.value, reason=d.reason, source=str(d.source))


class FirstDosingRead(BaseModel):
    day: date
    allowed: bool
    refusals: list[dict[str, str]]

    @classmethod
    def of(cls, gate: FirstDosingGate) -> FirstDosingRead:
        return cls(
            day=gate.day,
            allowed=gate.allowed,
            refusals=[{"code": code.value, "reason": why} for code, why in gate.refusals],
        )
