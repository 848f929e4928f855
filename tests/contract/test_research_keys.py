"""Research keys (ADR 0185): one per patient, never two, read back for the patients asked."""

from __future__ import annotations

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, seed
from mdma_at.domain.errors import DuplicateKey


def test_a_key_reads_back_for_its_patient_only(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        key = uow.research_keys.add(s.patient.id, "R7Q2K9", -143, T0)
        uow.commit()
    with new_uow() as uow:
        assert list(uow.research_keys.for_patients([s.patient.id, s.other.id])) == [key]
        assert list(uow.research_keys.for_patients([s.other.id])) == []
        assert list(uow.research_keys.for_patients([])) == []


def test_a_second_key_for_a_patient_or_a_reused_pseudonym_is_refused(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        uow.research_keys.add(s.patient.id, "R7Q2K9", -143, T0)
        uow.commit()
    with pytest.raises(DuplicateKey), new_uow() as uow:
        uow.research_keys.add(s.patient.id, "R0000A", 12, T0)
    with pytest.raises(DuplicateKey), new_uow() as uow:
        uow.research_keys.add(s.other.id, "R7Q2K9", 12, T0)
    with new_uow() as uow:
        assert [k.day_shift for k in uow.research_keys.for_patients([s.patient.id])] == [-143]


def test_keys_are_never_changed(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        assert not hasattr(uow.research_keys, "update")
        assert not hasattr(uow.research_keys, "delete")
