"""The FHIR mapping on hand-made records (pure): vital signs with their profile codes, the kit of
a dose as a blinded and an unblinded reader get it, and the export's period."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.observation import Observation

from mdma_at.domain.accountability import Container, Contents, Form
from mdma_at.domain.dosing.records import DosingSession, EntryKind, SessionEntry, SessionStatus
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.patients import Patient, PatientDetails
from mdma_at.domain.staff import Principal, Role, Site
from mdma_at.domain.vocabulary import Sex
from mdma_at.interop.fhir.resources import patient_resources
from mdma_at.services.exports.disclosure import disclose_kit
from mdma_at.services.exports.records import Dose, PatientRecord, SessionRecord, export_window

SITE = Site(1, "DEMO", "Harbour Clinic")
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
KIT = Container(
    4, 1, "K-7", "Lipomed AG", "L-2611-A", date(2027, 11, 30), Form.CAPSULE,
    "20 mg MDMA HCl", Contents.ACTIVE, "safe",
)  # fmt: skip


def _staff(role: Role, site_id: int = 1) -> Principal:
    return Principal(9, "someone", "Some One", {site_id: frozenset({role})})


def _entry(entry_id: int, kind: EntryKind, payload: dict[str, object]) -> SessionEntry:
    return SessionEntry(entry_id, 3, AT, kind, payload, True, (), 2, "Sam Alvarez", "therapist", AT)


def _record(principal: Principal, payload_vitals: dict[str, object]) -> PatientRecord:
    session = DosingSession(3, 8, 21, "mapp_v1", 1, AT, 2, False, None, SessionStatus.OPEN)
    vitals = _entry(40, EntryKind.VITALS, payload_vitals)
    dose = _entry(41, EntryKind.REQUEST_INITIAL, {"mg": 80})
    details = PatientDetails("DEMO-008", "Quinn Larsen", date(1995, 4, 4), Sex.FEMALE)
    patient = Patient(8, 1, details)
    kit = Dose(dose, disclose_kit(principal, KIT))
    return PatientRecord(patient, SITE, sessions=(SessionRecord(session, (vitals,), (kit,), ()),))


READING = {"systolic": 122, "diastolic": 78, "heart_rate": 70, "temperature_c": 36.7, "spo2": 98}


def _by_id(principal: Principal) -> dict[str, object]:
    return {r.id: r for r in patient_resources(_record(principal, READING), AT.date())}


def test_a_reading_becomes_the_vital_sign_profiles_observations_with_their_loinc_codes() -> None:
    found = _by_id(_staff(Role.PHYSICIAN))
    bp, hr = found["vitals-40-bp"], found["vitals-40-hr"]
    temp, spo2 = found["vitals-40-temp"], found["vitals-40-spo2"]
    assert isinstance(bp, Observation)
    # codes: FHIR R4 vital-signs value set (observation-vitalsignresult)
    assert [c.code for c in bp.code.coding] == ["85354-9"]
    assert [(c.code.coding[0].code, c.valueQuantity.value) for c in bp.component] == [
        ("8480-6", 122),
        ("8462-4", 78),
    ]
    assert all(c.valueQuantity.code == "mm[Hg]" for c in bp.component)  # UCUM, as profiled
    assert isinstance(hr, Observation) and hr.code.coding[0].code == "8867-4"
    assert hr.valueQuantity.value == 70 and hr.valueQuantity.code == "/min"
    assert isinstance(temp, Observation) and temp.code.coding[0].code == "8310-5"
    assert float(temp.valueQuantity.value) == 36.7 and temp.valueQuantity.code == "Cel"
    assert isinstance(spo2, Observation)
    assert [c.code for c in spo2.code.coding] == ["2708-6", "59408-5"]
    assert all(o.category[0].coding[0].code == "vital-signs" for o in (bp, hr, temp, spo2))


def test_a_reading_without_temperature_or_spo2_makes_no_observation_of_them() -> None:
    reading = {**READING, "temperature_c": None, "spo2": None}
    ids = {r.id for r in patient_resources(_record(_staff(Role.PHYSICIAN), reading), AT.date())}
    assert {"vitals-40-bp", "vitals-40-hr"} <= ids
    assert not {"vitals-40-temp", "vitals-40-spo2"} & ids


def test_a_blinded_reader_gets_the_kit_number_and_never_its_contents_or_lot() -> None:
    dose = _by_id(_staff(Role.PHYSICIAN))["dose-41"]
    assert isinstance(dose, MedicationAdministration)
    text = dose.model_dump_json()
    assert "K-7" in text
    for hidden in ("L-2611-A", "Lipomed", "20 mg MDMA HCl", "midomafetamine"):
        assert hidden not in text
    assert json.loads(text)["contained"][0]["code"] == {"text": "study drug (contents blinded)"}
    assert dose.dosage.dose.value == 80 and dose.dosage.dose.code == "mg"


def test_the_pharmacist_at_the_kits_site_gets_its_lot_and_contents() -> None:
    dose = _by_id(_staff(Role.PHARMACIST))["dose-41"]
    medication = json.loads(dose.model_dump_json())["contained"][0]
    assert medication["batch"] == {"lotNumber": "L-2611-A", "expirationDate": "2027-11-30"}
    assert medication["code"] == {"text": "midomafetamine (MDMA)"}


def test_a_pharmacist_at_another_site_is_blinded_to_this_sites_kit() -> None:
    assert disclose_kit(_staff(Role.PHARMACIST, site_id=2), KIT).blinded


@pytest.mark.parametrize(
    ("since", "until", "field"),
    [
        ("2026-13-01", "", "since"),
        ("", "yesterday", "until"),
        ("2026-10-01", "2026-09-30", "until"),  # the end before the start
        ("2026-12-04", "", "since"),  # a start after today: nothing has happened yet
    ],
)
def test_a_period_that_does_not_parse_or_ends_before_it_starts_names_its_field(
    since: str, until: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        export_window(since, until, date(2026, 12, 3))
    assert refused.value.field == field


def test_an_open_period_covers_every_day_and_a_closed_one_its_ends() -> None:
    window = export_window("", "", date(2026, 12, 3))
    assert window.covers(date(2001, 1, 1)) and window.covers(date(2027, 6, 1))  # planned visits
    closed = export_window("2026-10-01", "2026-10-31", date(2026, 12, 3))
    assert closed.covers(date(2026, 10, 1)) and closed.covers(date(2026, 10, 31))
    assert not closed.covers(date(2026, 9, 30)) and not closed.covers(date(2026, 11, 1))
