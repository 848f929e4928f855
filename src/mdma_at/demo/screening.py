"""Demo clinic, screening (issue 3): screened patients in every decision state, and consent.

Called once per demo patient right after registration, before the programme is walked, because
the first dosing session is gated on a signed eligible verdict and current consent. Everything
goes through the real use cases (audited). Dates are relative to the clock.

- DEMO-001 (not enrolled): ineligible (QTc above the limit), signed: a screen failure.
- DEMO-002: eligible after washout (sertraline), signed; the first dosing session waits for it.
- DEMO-003: needs review (personality disorder), not signed yet: awaiting the physician.
- DEMO-004: needs review (seizure disorder) overridden to eligible by the physician, with a reason.
- everyone else: eligible, signed.
- the laboratory panel, ECG, allergies and medication lists: `demo.workup` (issue 14).

Consent: version 1 of the site's form from long ago, version 2 effective ten days ago. Patients
enrolled before version 2 re-consented on its effective day, except DEMO-007 (outdated: must
re-consent before the next dosing session); DEMO-012 withdrew consent with the programme.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from mdma_at.demo.workup import add_workup_to_intake, seed_demo_workup
from mdma_at.domain.eligibility import Decision
from mdma_at.domain.patients import Patient
from mdma_at.domain.screening import ConsentDocument
from mdma_at.domain.staff import Principal
from mdma_at.services.access.auth import load_principal
from mdma_at.services.patients import consent
from mdma_at.services.ports import Clock, UnitOfWorkFactory
from mdma_at.services.screening import workup as screening

CONSENT_TITLE = "Consent to take part in MDMA-assisted therapy (demo)"
CONSENT_TEXT = (
    "What the programme involves: three preparation sessions, three eight-hour dosing sessions "
    "with MDMA under the supervision of two therapists and a physician, integration sessions and "
    "questionnaires. Risks: raised blood pressure and heart rate, anxiety, difficult memories, "
    "low mood in the days after a session. You may stop at any time without giving a reason."
)
CONSENT_V2_CHANGE = (
    " Version 2 adds: the follow-up visits at 6 and 12 months after the last dosing session."
)
OUTDATED = "DEMO-007"
WITHDRAWN = "DEMO-012"
SCREEN_FAILURE = "DEMO-001"
WASHOUT = "DEMO-002"
AWAITING_REVIEW = "DEMO-003"
OVERRIDDEN = "DEMO-004"
OVERRIDE_REASON = (
    "Single febrile seizure at age 3, none since; neurology letter on file: no contraindication."
)


def _principal(uow: UnitOfWorkFactory, username: str) -> Principal:
    with uow() as work:
        found = work.staff.by_username(username)
        assert found is not None, username
        return load_principal(work, found[0].id)


def screening_intake(patient: Patient, screening_date: date, study_id: str) -> dict[str, object]:
    """An intake that is eligible unless the demo scenario of `study_id` changes it."""
    born = patient.details.date_of_birth
    age = (
        screening_date.year
        - born.year
        - ((screening_date.month, screening_date.day) < (born.month, born.day))
    )
    sex = patient.details.sex.value
    childbearing = sex == "female" and age < 50
    intake: dict[str, object] = {
        "screening_date": screening_date.isoformat(),
        "age": age,
        "sex": sex,
        "childbearing_potential": childbearing,
        "pregnant": False,
        "breastfeeding": False,
        "pregnancy_test": "negative" if childbearing else None,
        "vitals": {"systolic": 124, "diastolic": 78, "heart_rate": 72, "temperature_c": 36.7},
        "ecg": {"qtc_ms": 415},
        "ptsd": {"caps5_total": 41, "meets_dsm5": True, "duration_months": 60},
        "conditions": [],
        "substance_use": [],
        "suicide_risk": "low",
        "medications": [
            {"name": "amlodipine", "last_dose": screening_date.isoformat()},
        ],
    }
    if study_id == SCREEN_FAILURE:
        intake["ecg"] = {"qtc_ms": 478}
    elif study_id == WASHOUT:
        last = (screening_date - timedelta(days=2)).isoformat()
        intake["medications"] = [{"name": "Zoloft", "last_dose": last}]
    elif study_id == AWAITING_REVIEW:
        intake["conditions"] = [{"code": "personality_disorder", "controlled": None}]
    elif study_id == OVERRIDDEN:
        intake["conditions"] = [{"code": "seizure_disorder", "controlled": None}]
    add_workup_to_intake(intake, study_id)
    return intake


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), UTC)


def seed_demo_screening(
    uow: UnitOfWorkFactory, clock: Clock, patient: Patient, enrolled_on: date | None
) -> None:
    """Screen, sign and consent one demo patient (see the module docstring)."""
    study_id = patient.details.study_id
    today = clock.now().date()
    coordinator = _principal(uow, "c.mensah")
    physician = _principal(uow, "dr.ng")
    witness = _principal(uow, "t.alvarez")
    v1, v2 = _consent_documents(uow, clock, patient.site_id, today)

    screening_date = (enrolled_on or today) - timedelta(days=7 if enrolled_on else 1)
    data = screening_intake(patient, screening_date, study_id)
    seed_demo_workup(uow, clock, coordinator, patient, screening_date)
    stored = screening.record_screening(uow(), clock, coordinator, patient.id, data)
    if study_id == OVERRIDDEN:
        screening.sign_screening(
            uow(), clock, physician, stored.id, Decision.ELIGIBLE, OVERRIDE_REASON
        )
    elif study_id != AWAITING_REVIEW:
        screening.sign_screening(uow(), clock, physician, stored.id)

    if enrolled_on is None:
        return  # a screen failure gives no consent to the programme
    first = v2 if enrolled_on >= v2.effective_on else v1
    _sign(uow, clock, coordinator, witness, patient, first.id, _at(enrolled_on))
    if first.id == v1.id and study_id != OUTDATED:
        _sign(uow, clock, coordinator, witness, patient, v2.id, _at(v2.effective_on))
    if study_id == WITHDRAWN:
        consent.withdraw_consent(
            uow(),
            clock,
            coordinator,
            patient.id,
            "withdrew from the programme (moved abroad)",
            _at(today - timedelta(days=5)),
        )


def _sign(
    uow: UnitOfWorkFactory,
    clock: Clock,
    coordinator: Principal,
    witness: Principal,
    patient: Patient,
    document_id: int,
    at: datetime,
) -> None:
    consent.sign_consent(
        uow(),
        clock,
        coordinator,
        patient.id,
        document_id=document_id,
        signed_name=patient.details.name,
        witness_id=witness.user_id,
        signed_at=at,
    )


def _consent_documents(
    uow: UnitOfWorkFactory, clock: Clock, site_id: int, today: date
) -> tuple[ConsentDocument, ConsentDocument]:
    """The site's versions 1 and 2, published on first use."""
    with uow() as work:
        existing = list(work.consents.documents(site_id))
    if len(existing) >= 2:
        return existing[0], existing[1]
    admin = _principal(uow, "admin")
    v1 = consent.publish_consent_document(
        uow(),
        clock,
        admin,
        site_id,
        title=CONSENT_TITLE,
        version=1,
        effective_on=today - timedelta(days=730),
        text=CONSENT_TEXT,
        reference="DEMO-ICF v1.0",
    )
    v2 = consent.publish_consent_document(
        uow(),
        clock,
        admin,
        site_id,
        title=CONSENT_TITLE,
        version=2,
        effective_on=today - timedelta(days=10),
        text=CONSENT_TEXT + CONSENT_V2_CHANGE,
        reference="DEMO-ICF v2.0",
    )
    return v1, v2
