"""Repositories of screening (issue 3): screenings with signatures, consent records."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _Repository
from mdma_at.domain.eligibility import Decision
from mdma_at.domain.screening import (
    ConsentDocument,
    ConsentSignature,
    ConsentWithdrawal,
    ScreeningRecord,
    ScreeningSignature,
)
from mdma_at.domain.staff import StaffMember


class SqlScreenings(_Repository):
    def add(
        self,
        patient_id: int,
        protocol: str,
        screening_date: date,
        intake: Mapping[str, object],
        verdict: Mapping[str, object],
        decision: Decision,
        earliest_baseline: date | None,
        recorded_by: int,
        recorded_at: datetime,
    ) -> ScreeningRecord:
        screening_id = self._insert(
            t.screenings,
            patient_id=patient_id,
            protocol=protocol,
            screening_date=screening_date,
            intake=json.dumps(intake, sort_keys=True),
            verdict=json.dumps(verdict),
            decision=decision.value,
            earliest_baseline=earliest_baseline,
            recorded_by=recorded_by,
            recorded_at=recorded_at,
        )
        found = self.get(screening_id)
        assert found is not None
        return found

    def sign(
        self,
        screening_id: int,
        signed_by: int,
        signed_at: datetime,
        decision: Decision,
        override_reason: str | None,
    ) -> ScreeningRecord:
        self._insert(
            t.screening_signatures,
            screening_id=screening_id,
            signed_by=signed_by,
            signed_at=signed_at,
            decision=decision.value,
            override_reason=override_reason,
        )
        found = self.get(screening_id)
        assert found is not None
        return found

    def get(self, screening_id: int) -> ScreeningRecord | None:
        found = self._select(t.screenings.c.id == screening_id)
        return found[0] if found else None

    def for_patient(self, patient_id: int) -> Sequence[ScreeningRecord]:
        """Oldest first."""
        return self._select(t.screenings.c.patient_id == patient_id)

    def latest(self, patient_id: int) -> ScreeningRecord | None:
        found = self.for_patient(patient_id)
        return found[-1] if found else None

    def unsigned_at(self, site_ids: frozenset[int]) -> Sequence[tuple[int, str, ScreeningRecord]]:
        """Unsigned screenings at `site_ids` as (patient id, study ID, screening), oldest first."""
        p = t.patients.c
        rows = self._db.execute(
            select(t.screenings.c.id, p.id.label("pid"), p.study_id)
            .join(t.patients, p.id == t.screenings.c.patient_id)
            .outerjoin(
                t.screening_signatures,
                t.screening_signatures.c.screening_id == t.screenings.c.id,
            )
            .where(p.site_id.in_(site_ids), t.screening_signatures.c.id.is_(None))
            .order_by(t.screenings.c.id)
        ).all()
        out = []
        for row in rows:
            record = self.get(row.id)
            assert record is not None
            out.append((row.pid, row.study_id, record))
        return out

    def _select(self, condition: Any) -> list[ScreeningRecord]:
        s, g = t.screenings.c, t.screening_signatures.c
        recorder = t.users.alias("recorder")
        signer = t.users.alias("signer")
        query = (
            select(
                t.screenings,
                recorder.c.full_name.label("recorded_by_name"),
                g.signed_by,
                g.signed_at,
                g.decision.label("signed_decision"),
                g.override_reason,
                signer.c.full_name.label("signed_by_name"),
            )
            .join(recorder, recorder.c.id == s.recorded_by)
            .outerjoin(t.screening_signatures, g.screening_id == s.id)
            .outerjoin(signer, signer.c.id == g.signed_by)
            .where(condition)
            .order_by(s.id)
        )
        return [_screening(row) for row in self._db.execute(query)]


def _screening(row: Row[Any]) -> ScreeningRecord:
    signature = (
        ScreeningSignature(
            row.signed_by,
            row.signed_by_name,
            row.signed_at,
            Decision(row.signed_decision),
            row.override_reason,
        )
        if row.signed_by is not None
        else None
    )
    return ScreeningRecord(
        row.id,
        row.patient_id,
        row.protocol,
        row.screening_date,
        json.loads(row.intake),
        json.loads(row.verdict),
        Decision(row.decision),
        row.earliest_baseline,
        row.recorded_by,
        row.recorded_by_name,
        row.recorded_at,
        signature,
    )


class SqlConsents(_Repository):
    def add_document(
        self,
        site_id: int,
        title: str,
        version: int,
        effective_on: date,
        text: str,
        reference: str,
        published_by: int | None,
        published_at: datetime,
    ) -> ConsentDocument:
        document_id = self._insert(
            t.consent_documents,
            site_id=site_id,
            title=title,
            version=version,
            effective_on=effective_on,
            text=text,
            reference=reference,
            published_by=published_by,
            published_at=published_at,
        )
        return ConsentDocument(
            document_id, site_id, title, version, effective_on, text, reference, published_at
        )

    def documents(self, site_id: int) -> Sequence[ConsentDocument]:
        c = t.consent_documents.c
        rows = self._db.execute(
            select(t.consent_documents).where(c.site_id == site_id).order_by(c.version)
        )
        return [_document(row) for row in rows]

    def document(self, document_id: int) -> ConsentDocument | None:
        row = self._db.execute(
            select(t.consent_documents).where(t.consent_documents.c.id == document_id)
        ).first()
        return _document(row) if row else None

    def add_signature(
        self,
        patient_id: int,
        document_id: int,
        signed_name: str,
        signed_at: datetime,
        witness_id: int,
        recorded_by: int,
        recorded_at: datetime,
    ) -> ConsentSignature:
        signature_id = self._insert(
            t.consent_signatures,
            patient_id=patient_id,
            document_id=document_id,
            signed_name=signed_name,
            signed_at=signed_at,
            witness_id=witness_id,
            recorded_by=recorded_by,
            recorded_at=recorded_at,
        )
        found = [s for s in self.signatures(patient_id) if s.id == signature_id]
        return found[0]

    def signatures(self, patient_id: int) -> Sequence[ConsentSignature]:
        c = t.consent_signatures.c
        rows = self._db.execute(
            select(t.consent_signatures, t.users.c.full_name.label("witness_name"))
            .join(t.users, t.users.c.id == c.witness_id)
            .where(c.patient_id == patient_id)
            .order_by(c.signed_at, c.id)
        )
        return [
            ConsentSignature(
                row.id,
                row.patient_id,
                row.document_id,
                row.signed_name,
                row.signed_at,
                row.witness_id,
                row.witness_name,
                row.recorded_by,
            )
            for row in rows
        ]

    def add_withdrawal(
        self,
        patient_id: int,
        withdrawn_at: datetime,
        reason: str,
        recorded_by: int,
        recorded_at: datetime,
    ) -> ConsentWithdrawal:
        withdrawal_id = self._insert(
            t.consent_withdrawals,
            patient_id=patient_id,
            withdrawn_at=withdrawn_at,
            reason=reason,
            recorded_by=recorded_by,
            recorded_at=recorded_at,
        )
        return ConsentWithdrawal(withdrawal_id, patient_id, withdrawn_at, reason, recorded_by)

    def withdrawals(self, patient_id: int) -> Sequence[ConsentWithdrawal]:
        c = t.consent_withdrawals.c
        rows = self._db.execute(
            select(t.consent_withdrawals)
            .where(c.patient_id == patient_id)
            .order_by(c.withdrawn_at, c.id)
        )
        return [
            ConsentWithdrawal(row.id, row.patient_id, row.withdrawn_at, row.reason, row.recorded_by)
            for row in rows
        ]

    def witnesses(self, site_id: int) -> Sequence[StaffMember]:
        """Active staff holding any role at the site, by name."""
        u, g = t.users.c, t.role_grants.c
        rows = self._db.execute(
            select(t.users)
            .where(
                u.active.is_(True),
                u.id.in_(select(g.user_id).where(g.site_id == site_id)),
            )
            .order_by(u.full_name)
        )
        return [StaffMember(row.id, row.username, row.full_name, row.active) for row in rows]


def _document(row: Row[Any]) -> ConsentDocument:
    return ConsentDocument(
        row.id,
        row.site_id,
        row.title,
        row.version,
        row.effective_on,
        row.text,
        row.reference,
        row.published_at,
    )
