"""Trials through the real services, on SQLite and PostgreSQL (issue 16, items 1, 2 and 6):
joining after a signed eligible verdict and current consent, sealed randomisation, the
allocation list for the statistician only, emergency unblinding; every refusal audited and
nothing else stored."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mdma_at.bootstrap import Container
from mdma_at.domain.blinding import disclose
from mdma_at.domain.errors import Conflict, InvalidInput, PermissionDenied
from mdma_at.domain.randomisation.study import Study, seed_commitment
from mdma_at.domain.staff import Principal, Role
from mdma_at.services.access.auth import load_principal
from mdma_at.services.access.staff import add_user
from mdma_at.services.patients import consent
from mdma_at.services.screening import workup
from mdma_at.services.trials import randomise, studies, unblinding, view
from support.clinic import OPERATOR, PASSWORD, Clinic, register
from support.db import last_audit_action, row_counts

SEED = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # 32 hex digits, as the statistician would draw
INTAKE = {
    "screening_date": "2026-09-20", "age": 42, "sex": "female", "childbearing_potential": True,
    "pregnant": False, "breastfeeding": False, "pregnancy_test": "negative",
    "vitals": {"systolic": 124, "diastolic": 78, "heart_rate": 70, "temperature_c": 36.6},
    "ecg": {"qtc_ms": 420}, "ptsd": {"caps5_total": 44, "meets_dsm5": True, "duration_months": 40},
    "conditions": [], "substance_use": [], "suicide_risk": "low", "medications": [],
}  # fmt: skip
IGNORE = ("audit_events", "audit_head")


def _user(ctx: Container, username: str, role: Role) -> Principal:
    member = add_user(
        ctx.uow(), ctx.clock, ctx.hasher, OPERATOR, username=username, full_name=username,
        password=PASSWORD, grants=[("SITE-A", role)],
    )  # fmt: skip
    with ctx.uow() as uow:
        return load_principal(uow, member.id)


@pytest.fixture
def statistician(ctx: Container, clinic: Clinic) -> Principal:
    return _user(ctx, "stat", Role.STATISTICIAN)


@pytest.fixture
def study(ctx: Container, clinic: Clinic, statistician: Principal) -> Study:
    created = studies.create_study(
        ctx.uow(), ctx.clock, clinic.coordinator_a, code="MAPP-X", title="MDMA-AT vs placebo",
        site_ids=[clinic.site_a.id], designated_physician="dr.a", target_size=4,
    )  # fmt: skip
    return studies.seal_schedule(
        ctx.uow(), ctx.clock, ctx.schedule_seal, statistician, created.id, SEED
    )


def _consent(ctx: Container, clinic: Clinic, patient_id: int) -> None:
    with ctx.uow() as uow:
        documents = uow.consents.documents(clinic.site_a.id)
    if not documents:
        documents = [
            consent.publish_consent_document(
                ctx.uow(), ctx.clock, clinic.admin, clinic.site_a.id, title="Consent",
                reference="ICF v1.0",
                version=1, effective_on=date(2026, 1, 1),
            )
        ]  # fmt: skip
    consent.sign_consent(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient_id, document_id=documents[-1].id,
        signed_name="Jordan Reyes", witness_id=clinic.therapist_a.user_id,
        signed_at=datetime(2026, 10, 1, tzinfo=UTC),
    )  # fmt: skip


def _ready(ctx: Container, clinic: Clinic, study_id: str, *, consented: bool = True) -> int:
    """A patient with a signed eligible screening (and consent, unless told otherwise)."""
    patient = register(ctx, clinic, study_id)
    screening = workup.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, INTAKE
    )
    workup.sign_screening(ctx.uow(), ctx.clock, clinic.physician_a, screening.id)
    if consented:
        _consent(ctx, clinic, patient.id)
    return patient.id


def _randomise(ctx: Container, clinic: Clinic, study: Study, patient_id: int):  # type: ignore[no-untyped-def]
    return randomise.randomise(
        ctx.uow(), ctx.clock, ctx.schedule_seal, clinic.coordinator_a, study.id, patient_id
    )


def test_the_seed_is_stored_sealed_with_a_commitment_and_never_in_clear(ctx, study) -> None:
    with ctx.uow() as uow:
        sealed = uow.studies.sealed_seed(study.id)
    assert sealed is not None and SEED not in sealed
    assert ctx.schedule_seal.open(sealed) == SEED
    assert study.seed_commitment == seed_commitment("MAPP-X", SEED)


def test_a_participant_joins_and_is_randomised_once_and_blinded_roles_see_no_arm(
    ctx, clinic, study, statistician
) -> None:
    patient_id = _ready(ctx, clinic, "HC-0001")
    joined = studies.join_study(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id)
    # baseline CAPS-5 44 is at or above the protocol's 35 (MAPS bands, clinical-facts.md [S13])
    assert joined.levels == {"site": "SITE-A", "caps5_band": "severe"}
    receipt = _randomise(ctx, clinic, study, patient_id)
    assert receipt.position == 1
    assert not hasattr(receipt, "arm")
    coordinator_view = view.study_view(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id)
    assert not coordinator_view.arms_visible
    assert [row.arm for row in disclose(coordinator_view, clinic.coordinator_a).rows] == [None]
    lines = disclose(randomise.allocation_list(ctx.uow(), ctx.clock, statistician, study.id),
                     statistician)  # fmt: skip
    assert [line.arm in {"mdma", "placebo"} for line in lines] == [True]
    with ctx.uow() as uow:
        audit = [e.content for e in uow.audit.events()]
    randomised = next(c for c in audit if c.action == "participant_randomised")
    assert lines[0].arm not in (randomised.after or "")

    before = row_counts(ctx.settings.database_url, ignore=IGNORE)
    with pytest.raises(Conflict, match="randomised already"):
        _randomise(ctx, clinic, study, patient_id)
    assert row_counts(ctx.settings.database_url, ignore=IGNORE) == before
    assert last_audit_action(ctx.settings.database_url) == "randomisation_refused"


def test_an_unconsented_patient_may_not_join_and_the_refusal_is_audited(ctx, clinic, study) -> None:
    patient_id = _ready(ctx, clinic, "HC-0002", consented=False)
    before = row_counts(ctx.settings.database_url, ignore=IGNORE)
    with pytest.raises(Conflict, match="consent"):
        studies.join_study(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id)
    assert row_counts(ctx.settings.database_url, ignore=IGNORE) == before
    assert last_audit_action(ctx.settings.database_url) == "study_entry_refused"


def test_consent_withdrawn_after_joining_refuses_randomisation(ctx, clinic, study) -> None:
    patient_id = _ready(ctx, clinic, "HC-0003")
    studies.join_study(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id)
    consent.withdraw_consent(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient_id, "moved away",
        datetime(2026, 11, 1, tzinfo=UTC),
    )  # fmt: skip
    before = row_counts(ctx.settings.database_url, ignore=IGNORE)
    with pytest.raises(Conflict, match="withdrawn"):
        _randomise(ctx, clinic, study, patient_id)
    assert row_counts(ctx.settings.database_url, ignore=IGNORE) == before
    assert last_audit_action(ctx.settings.database_url) == "randomisation_refused"


def test_an_unsigned_screening_is_not_eligible_to_join(ctx, clinic, study) -> None:
    patient = register(ctx, clinic, "HC-0004")
    workup.record_screening(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, INTAKE)
    _consent(ctx, clinic, patient.id)
    with pytest.raises(Conflict, match="not signed by a physician"):
        studies.join_study(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient.id)


def test_only_the_statistician_exports_the_allocation_list(ctx, clinic, study) -> None:
    before = row_counts(ctx.settings.database_url, ignore=IGNORE)
    with pytest.raises(PermissionDenied):
        randomise.allocation_list(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id)
    assert row_counts(ctx.settings.database_url, ignore=IGNORE) == before
    assert last_audit_action(ctx.settings.database_url) == "access_denied"


def test_the_allocation_is_append_only_in_the_database(ctx, clinic, study) -> None:
    patient_id = _ready(ctx, clinic, "HC-0005")
    studies.join_study(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id)
    _randomise(ctx, clinic, study, patient_id)
    from sqlalchemy import text

    with pytest.raises(Exception, match="append-only"), ctx.engine.begin() as db:
        db.execute(text("UPDATE study_allocations SET arm = 'placebo'"))


def test_emergency_unblinding_needs_a_reason_and_the_designated_physician(
    ctx, clinic, study, statistician
) -> None:
    patient_id = _ready(ctx, clinic, "HC-0006")
    studies.join_study(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id)
    _randomise(ctx, clinic, study, patient_id)
    url = ctx.settings.database_url
    pharmacist = _user(ctx, "ph.a", Role.PHARMACIST)  # sees patients, may not ask

    before = row_counts(url, ignore=IGNORE)
    with pytest.raises(InvalidInput) as refused:
        unblinding.request_unblinding(
            ctx.uow(), ctx.clock, clinic.therapist_a, study.id, patient_id, "   "
        )
    assert refused.value.field == "reason"
    assert row_counts(url, ignore=IGNORE) == before
    assert last_audit_action(url) == "unblinding_refused"

    with pytest.raises(PermissionDenied):
        unblinding.request_unblinding(
            ctx.uow(), ctx.clock, pharmacist, study.id, patient_id, "serotonin syndrome"
        )
    assert row_counts(url, ignore=IGNORE) == before

    request = unblinding.request_unblinding(
        ctx.uow(), ctx.clock, clinic.therapist_a, study.id, patient_id,
        "suspected serotonin syndrome; treatment depends on exposure",
    )  # fmt: skip
    other_physician = _user(ctx, "dr.other", Role.PHYSICIAN)
    before = row_counts(url, ignore=IGNORE)
    with pytest.raises(Conflict, match="designated physician"):
        unblinding.approve_unblinding(ctx.uow(), ctx.clock, other_physician, study.id, request.id)
    with pytest.raises(PermissionDenied):
        unblinding.approve_unblinding(
            ctx.uow(), ctx.clock, clinic.therapist_a, study.id, request.id
        )
    assert row_counts(url, ignore=IGNORE) == before

    reveal = disclose(
        unblinding.approve_unblinding(
            ctx.uow(), ctx.clock, clinic.physician_a, study.id, request.id
        ),
        clinic.physician_a,
    )
    lines = disclose(randomise.allocation_list(ctx.uow(), ctx.clock, statistician, study.id),
                     statistician)  # fmt: skip
    assert reveal.arm.code == lines[0].arm
    assert lines[0].emergency_unblinded  # the analyses read this flag
    shown = view.study_view(ctx.uow(), ctx.clock, clinic.physician_a, study.id)
    rows = disclose(shown, clinic.physician_a).rows
    assert rows[0].emergency_unblinded and rows[0].arm is None
    with ctx.uow() as uow:
        approved = [
            e.content for e in uow.audit.events() if e.content.action == "unblinding_approved"
        ]
    assert len(approved) == 1 and reveal.arm.code not in (approved[0].after or "")


def test_blocks_over_a_full_study_keep_each_stratum_within_half_the_largest_block(
    ctx, clinic, statistician
) -> None:
    created = studies.create_study(
        ctx.uow(), ctx.clock, clinic.coordinator_a, code="MAPP-B", title="blocks",
        site_ids=[clinic.site_a.id], designated_physician="dr.a", target_size=8,
    )  # fmt: skip
    studies.seal_schedule(ctx.uow(), ctx.clock, ctx.schedule_seal, statistician, created.id, SEED)
    for n in range(8):
        patient_id = _ready(ctx, clinic, f"HC-1{n:03}")
        studies.join_study(ctx.uow(), ctx.clock, clinic.coordinator_a, created.id, patient_id)
        _randomise(ctx, clinic, created, patient_id)
        lines = randomise.allocation_list(ctx.uow(), ctx.clock, statistician, created.id)
        arms = [line.arm for line in disclose(lines, statistician)]
        assert abs(arms.count("mdma") - arms.count("placebo")) <= 4 // 2  # block sizes 2, 4


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target_size": 1}, "target_size"),
        ({"block_sizes": (3,)}, "block_sizes"),
        ({"factors": ("site", "age")}, "factors"),
        ({"designated_physician": "t.a"}, "designated_physician"),
        ({"title": " "}, "title"),
    ],
)
def test_a_study_design_that_cannot_run_is_refused_naming_the_field(
    ctx, clinic, changes, field
) -> None:
    args = {
        "code": "BAD", "title": "t", "site_ids": [clinic.site_a.id],
        "designated_physician": "dr.a", "target_size": 10, **changes,
    }  # fmt: skip
    before = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput) as refused:
        studies.create_study(ctx.uow(), ctx.clock, clinic.coordinator_a, **args)
    assert refused.value.field == field
    assert row_counts(ctx.settings.database_url) == before


def test_a_short_seed_is_refused_and_a_sealed_schedule_never_changes(
    ctx, clinic, study, statistician
) -> None:
    with pytest.raises(Conflict, match="sealed already"):
        studies.seal_schedule(ctx.uow(), ctx.clock, ctx.schedule_seal, statistician, study.id, SEED)
    other = studies.create_study(
        ctx.uow(), ctx.clock, clinic.coordinator_a, code="MAPP-S", title="s",
        site_ids=[clinic.site_a.id], designated_physician="dr.a", target_size=4,
    )  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        studies.seal_schedule(
            ctx.uow(), ctx.clock, ctx.schedule_seal, statistician, other.id, "1234"
        )
    assert refused.value.field == "seed"
    with pytest.raises(PermissionDenied):
        studies.seal_schedule(
            ctx.uow(), ctx.clock, ctx.schedule_seal, clinic.coordinator_a, other.id, SEED
        )
