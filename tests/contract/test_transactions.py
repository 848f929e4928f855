"""What a unit of work promises the services: nothing is kept unless committed."""

from __future__ import annotations

import pytest

from contract.conftest import UowFactory
from mdma_at.domain.errors import DuplicateKey
from mdma_at.services.ports import UnitOfWork


def test_a_commit_keeps_the_writes_for_the_next_unit_of_work(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.sites.add("SITE-A", "Harbour Clinic")
        uow.commit()
    with new_uow() as uow:
        assert [site.code for site in uow.sites.list()] == ["SITE-A"]


def test_leaving_without_a_commit_keeps_nothing(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.sites.add("SITE-A", "Harbour Clinic")
        assert uow.sites.by_code("SITE-A") is not None  # visible inside its own transaction
    with new_uow() as uow:
        assert uow.sites.list() == []


def test_an_exception_discards_the_writes(new_uow: UowFactory) -> None:
    with pytest.raises(RuntimeError), new_uow() as uow:
        uow.sites.add("SITE-A", "Harbour Clinic")
        raise RuntimeError("the use case refused")
    with new_uow() as uow:
        assert uow.sites.list() == []


def test_rollback_discards_what_came_after_the_last_commit(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.sites.add("SITE-A", "Harbour Clinic")
        uow.commit()
        uow.sites.add("SITE-B", "Hillside Clinic")  # a new transaction after the commit
        uow.rollback()
        assert [site.code for site in uow.sites.list()] == ["SITE-A"]
        uow.sites.add("SITE-C", "Cove Clinic")  # and the block goes on after a rollback too
        uow.commit()
    with new_uow() as uow:
        assert [site.code for site in uow.sites.list()] == ["SITE-A", "SITE-C"]


def test_a_nested_block_shares_the_transaction(new_uow: UowFactory) -> None:
    """A service called by another opens the same unit of work again: its exit ends nothing."""
    uow = new_uow()
    with uow:
        with uow:
            uow.sites.add("SITE-A", "Harbour Clinic")
        assert uow.sites.by_code("SITE-A") is not None
        uow.commit()
    with new_uow() as fresh:
        assert fresh.sites.by_code("SITE-A") is not None


def test_a_repeated_unique_key_is_a_duplicate_key_and_keeps_nothing(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.sites.add("SITE-A", "Harbour Clinic")
        uow.commit()
    with pytest.raises(DuplicateKey, match="sites"), new_uow() as uow:
        uow.staff.add("t.a", "Tess Archer", "hash")
        uow.sites.add("SITE-A", "Another Harbour")
    with new_uow() as uow:
        assert [site.name for site in uow.sites.list()] == ["Harbour Clinic"]
        assert uow.staff.count() == 0


def test_every_repository_of_the_port_is_there(new_uow: UowFactory) -> None:
    """mypy checks the types of what a unit of work assigns; this, that it assigns them all."""
    with new_uow() as uow:
        missing = [name for name in UnitOfWork.__annotations__ if not hasattr(uow, name)]
    assert missing == []
