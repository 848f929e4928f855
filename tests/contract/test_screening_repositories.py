"""Screenings with their one signature, consent documents, signatures and withdrawals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, seed
from mdma_at.domain.eligibility import Decision
from mdma_at.domain.errors import DuplicateKey
from mdma_at.services.ports import UnitOfWork


def _screen(uow: UnitOfWork, patient_id: int, by: int, day: int) -> int:
    return uow.screenings.add(
        patient_id,
        "mapp_v1",
        date(2026, 11, day),
        {"age": 40, "medications": ["sertraline"]},
        {"criteria": [{"code": "age", "met": True}]},
        Decision.NEEDS_REVIEW,
        date(2026, 12, 1),
        by,
        T0 + timedelta(days=day),
    ).id


def test_screenings_signed_once_oldest_first(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        first = _screen(uow, s.patient.id, s.therapist.id, 1)
        second = _screen(uow, s.patient.id, s.therapist.id, 2)
        elsewhere = _screen(uow, s.other.id, s.therapist.id, 3)
        signed = uow.screenings.sign(first, s.physician.id, T0, Decision.ELIGIBLE, "reviewed")
        uow.commit()
    with new_uow() as uow:
        record = uow.screenings.get(second)
        assert record is not None
        assert (record.intake, record.verdict) == (
            {"age": 40, "medications": ["sertraline"]},
            {"criteria": [{"code": "age", "met": True}]},
        )
        assert (record.recorded_by_name, record.signature) == ("Tess Archer", None)
        assert signed.signature is not None
        assert (signed.signature.signed_by_name, signed.signature.decision) == (
            "Dana Reid",
            Decision.ELIGIBLE,
        )
        assert uow.screenings.get(first) == signed
        assert [r.id for r in uow.screenings.for_patient(s.patient.id)] == [first, second]
        latest = uow.screenings.latest(s.patient.id)
        assert latest is not None and latest.id == second
        assert uow.screenings.latest(999) is None and uow.screenings.get(999) is None
        unsigned = uow.screenings.unsigned_at(frozenset({s.site_a.id, s.site_b.id}))
        assert [(pid, study, r.id) for pid, study, r in unsigned] == [
            (s.patient.id, "HC-0002", second),
            (s.other.id, "HC-0001", elsewhere),
        ]


def test_a_second_signature_is_a_duplicate_key(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        screening = _screen(uow, s.patient.id, s.therapist.id, 1)
        uow.screenings.sign(screening, s.physician.id, T0, Decision.ELIGIBLE, None)
        uow.commit()
    with pytest.raises(DuplicateKey), new_uow() as uow:
        uow.screenings.sign(screening, s.physician.id, T0, Decision.INELIGIBLE, "changed mind")
    with new_uow() as uow:
        found = uow.screenings.get(screening)
        assert found is not None and found.signature is not None
        assert found.signature.decision is Decision.ELIGIBLE


def test_consent_documents_signatures_withdrawals_and_witnesses(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        add = uow.consents.add_document
        v2 = add(s.site_a.id, "Consent", 2, date(2026, 6, 1), "text 2", "ref", None, T0)
        v1 = add(s.site_a.id, "Consent", 1, date(2026, 1, 1), "text 1", "ref", None, T0)
        later = uow.consents.add_signature(
            s.patient.id,
            v2.id,
            "J Reyes",
            T0 + timedelta(days=2),
            s.physician.id,
            s.therapist.id,
            T0,
        )
        earlier = uow.consents.add_signature(
            s.patient.id, v1.id, "J Reyes", T0, s.physician.id, s.therapist.id, T0
        )
        withdrawal = uow.consents.add_withdrawal(s.patient.id, T0, "no longer", s.therapist.id, T0)
        uow.staff.set_active(s.therapist.id, False)
        uow.commit()
    with new_uow() as uow:
        assert [d.version for d in uow.consents.documents(s.site_a.id)] == [1, 2]
        assert uow.consents.documents(s.site_b.id) == []
        assert uow.consents.document(v2.id) == v2 and uow.consents.document(999) is None
        assert uow.consents.signatures(s.patient.id) == [earlier, later]
        assert later.witness_name == "Dana Reid"
        assert uow.consents.withdrawals(s.patient.id) == [withdrawal]
        # active staff with any role at the site, by name: the therapist is inactive now
        assert [m.full_name for m in uow.consents.witnesses(s.site_a.id)] == ["Dana Reid"]
        assert uow.consents.witnesses(s.site_b.id) == []


def test_a_document_version_repeated_at_a_site_is_a_duplicate_key(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        uow.consents.add_document(s.site_a.id, "Consent", 1, date(2026, 1, 1), "t", "r", None, T0)
        uow.consents.add_document(s.site_b.id, "Consent", 1, date(2026, 1, 1), "t", "r", None, T0)
        uow.commit()
    with pytest.raises(DuplicateKey), new_uow() as uow:
        uow.consents.add_document(s.site_a.id, "Again", 1, date(2026, 2, 1), "t", "r", None, T0)
