"""The research export's use case (issue 17, items 3 and 5): keys drawn once per patient and kept,
only the patients of the sites where the user may export, every export and denial audited, a
denial storing nothing else."""

from __future__ import annotations

from random import Random

import pytest

from mdma_at.bootstrap import Container
from mdma_at.domain.errors import PermissionDenied
from mdma_at.services.exports.research import research_export
from support.clinic import Clinic, register


def _audit(ctx: Container) -> list[str]:
    with ctx.uow() as uow:
        return [e.content.action for e in uow.audit.events()]


def test_keys_are_drawn_once_and_kept_for_every_later_export(
    ctx: Container, clinic: Clinic
) -> None:
    first = register(ctx, clinic, "HC-0001")
    second = register(ctx, clinic, "HC-0002")
    done = research_export(ctx.uow(), ctx.clock, clinic.coordinator_a, Random(1))
    keys = {record.patient.id: key for record, key in done.records}
    assert set(keys) == {first.id, second.id}
    assert all(key.day_shift != 0 for key in keys.values())
    again = research_export(ctx.uow(), ctx.clock, clinic.coordinator_a, Random(2))
    assert {record.patient.id: key for record, key in again.records} == keys
    assert _audit(ctx)[-2:] == ["research_exported", "research_exported"]


def test_only_the_patients_of_the_users_exporting_sites_are_included(
    ctx: Container, clinic: Clinic
) -> None:
    here = register(ctx, clinic, "HC-0001")
    register(ctx, clinic, "HC-0002", site=clinic.site_b)
    done = research_export(ctx.uow(), ctx.clock, clinic.coordinator_a)
    assert [record.patient.id for record, _ in done.records] == [here.id]


def test_a_user_without_export_permission_is_refused_audited_and_nothing_stored(
    ctx: Container, clinic: Clinic
) -> None:
    patient = register(ctx, clinic, "HC-0001")
    with pytest.raises(PermissionDenied):
        research_export(ctx.uow(), ctx.clock, clinic.therapist_a)
    assert _audit(ctx)[-1] == "access_denied"
    with ctx.uow() as uow:
        assert list(uow.research_keys.for_patients([patient.id])) == []
