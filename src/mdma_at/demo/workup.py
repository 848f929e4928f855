"""Demo clinic, work-up (issue 14): laboratory panels and ECGs in the screening intakes, allergies
and the concomitant-medication lists, made through the same use cases as the staff's.

- every screened patient: a full laboratory panel inside the reference ranges and a raw ECG
  (QT and heart rate, corrected by Fridericia), except DEMO-001 (QTc as measured, above the limit);
- DEMO-003 (awaiting review): ALT 88 U/L, above the range, among the reasons for review; and
  sertraline stopped, then restarted after its washout began: the chart warns;
- DEMO-002: sertraline (Zoloft) stopped two days before screening: the washout planner shows when
  it clears; a penicillin allergy;
- everyone: amlodipine taken since two years before screening; allergies recorded as free text
  or as "none known", by turns.
"""

from __future__ import annotations

from datetime import date, timedelta

from mdma_at.domain.patients import Patient
from mdma_at.domain.staff import Principal
from mdma_at.services.ports import Clock, UnitOfWorkFactory
from mdma_at.services.screening import allergies, concomitant

#: Inside the mapp_v1 panel's reference ranges (protocols/mapp_v1/labs.py).
NORMAL_LABS: dict[str, object] = {
    "alt": 21, "ast": 24, "bilirubin": 10, "creatinine": 78, "egfr": 96, "sodium": 140,
    "potassium": 4.2, "tsh": 1.9, "urine_drug_screen": "negative",
}  # fmt: skip
RAISED_ALT = "DEMO-003"
RESTARTED = "DEMO-003"
WASHOUT = "DEMO-002"
SCREEN_FAILURE = "DEMO-001"
ALLERGIES = {
    "DEMO-002": ("penicillin", "rash"),
    "DEMO-006": ("latex", "contact dermatitis"),
    "DEMO-009": ("codeine", "nausea and vomiting"),
}


def add_workup_to_intake(intake: dict[str, object], study_id: str) -> None:
    """The panel and the raw ECG for one demo intake (in place)."""
    labs = dict(NORMAL_LABS)
    if study_id == RAISED_ALT:
        labs["alt"] = 88
    intake["labs"] = labs
    if study_id != SCREEN_FAILURE:
        # QT 400 ms at 72/min (RR 833 ms), Fridericia: 400 / 0.833^(1/3) = 425 ms
        intake["ecg"] = {"qt_ms": 400, "heart_rate": 72, "correction": "fridericia"}
    if study_id == RESTARTED:
        medications = intake["medications"]
        assert isinstance(medications, list)
        medications.append({"name": "sertraline", "last_dose": intake["screening_date"]})


def seed_demo_workup(uow: UnitOfWorkFactory, clock: Clock, coordinator: Principal,
                     patient: Patient, screening_date: date) -> None:  # fmt: skip
    """Allergies and the medication list of one demo patient (see the module docstring)."""
    study_id = patient.details.study_id
    amlodipine_from = screening_date - timedelta(days=730)
    concomitant.add_medication(
        uow(), clock, coordinator, patient.id, "amlodipine", "5 mg daily", amlodipine_from
    )
    if study_id == WASHOUT:
        concomitant.add_medication(
            uow(), clock, coordinator, patient.id, "Zoloft", "100 mg daily",
            screening_date - timedelta(days=400), screening_date - timedelta(days=2),
        )  # fmt: skip
    if study_id == RESTARTED:
        concomitant.add_medication(
            uow(), clock, coordinator, patient.id, "sertraline", "50 mg daily",
            screening_date - timedelta(days=300), screening_date - timedelta(days=30),
        )  # fmt: skip
        concomitant.add_medication(
            uow(), clock, coordinator, patient.id, "sertraline", "50 mg daily",
            screening_date - timedelta(days=12),
        )  # fmt: skip
    if study_id in ALLERGIES:
        substance, reaction = ALLERGIES[study_id]
        allergies.add_allergy(uow(), clock, coordinator, patient.id, substance, reaction)
    elif int(study_id[-3:]) % 2:
        allergies.add_allergy(uow(), clock, coordinator, patient.id, none_known=True)
