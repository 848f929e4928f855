"""The screening form's fields become the intake JSON; errors name the input the physician sees."""

from __future__ import annotations

from datetime import date

import pytest

from mdma_at.domain.eligibility import parse_intake
from mdma_at.domain.errors import InvalidInput
from mdma_at.entrypoints.web.screening.form import blank_form, form_from_intake, intake_from_form

FORM = {
    "screening_date": "2026-11-02",
    "age": "41",
    "sex": "female",
    "childbearing_potential": "yes",
    "pregnant": "no",
    "breastfeeding": "no",
    "pregnancy_test": "negative",
    "vitals.systolic": "128",
    "vitals.diastolic": "82",
    "vitals.heart_rate": "74",
    "vitals.temperature_c": "36.7",
    "ecg.qtc_ms": "431",
    "ptsd.caps5_total": "41",
    "ptsd.meets_dsm5": "yes",
    "ptsd.duration_months": "30",
    "hypertension_controlled": "yes",
    "other_conditions": "Tinnitus",
    "suicide_risk": "low",
    "substance_use[0].substance": "alcohol",
    "substance_use[0].severity": "mild",
    "substance_use[0].in_remission": "no",
    "substance_use[0].last_use": "2026-10-20",
    "medications[2].name": "Zoloft",
    "medications[2].last_dose": "2026-10-15",
}


def test_a_filled_form_is_a_valid_intake_that_reads_back_into_the_same_form() -> None:
    data, _ = intake_from_form(FORM, ["hypertension"])
    intake = parse_intake(data)
    assert intake.vitals.systolic == 128 and intake.ecg.qtc_ms == 431
    assert [c.code for c in intake.conditions] == ["hypertension", "tinnitus"]
    assert intake.conditions[0].controlled is True
    assert intake.medications[0].name == "Zoloft"
    values, ticked = form_from_intake(intake.to_dict())
    assert values["vitals.systolic"] == "128" and values["ptsd.meets_dsm5"] == "yes"
    assert values["medications[0].name"] == "Zoloft" and "hypertension" in ticked


def test_text_in_a_number_field_is_refused_naming_the_input() -> None:
    with pytest.raises(InvalidInput) as refused:
        intake_from_form({**FORM, "vitals.systolic": "12o"}, [])
    assert refused.value.field == "vitals.systolic" and "'12o'" in refused.value.reason


def test_an_error_on_a_later_row_names_the_row_the_physician_typed_in() -> None:
    data, rows = intake_from_form({**FORM, "medications[2].last_dose": "2026-11-03"}, [])
    with pytest.raises(InvalidInput) as refused:
        parse_intake(data)
    assert refused.value.field == "medications[0].last_dose"
    assert rows.field(refused.value.field) == "medications[2].last_dose"


def test_a_blank_form_takes_age_and_sex_from_the_record() -> None:
    values, ticked = blank_form(date(2026, 11, 22), "male", date(1984, 11, 23))
    assert values == {"screening_date": "2026-11-22", "age": "41", "sex": "male"} and ticked == []


def test_a_medication_row_with_a_last_dose_but_no_name_is_refused_not_dropped() -> None:
    values = {"medications[2].name": "  ", "medications[2].last_dose": "2026-10-01"}
    with pytest.raises(InvalidInput) as caught:
        intake_from_form(values, [])
    assert caught.value.field == "medications[2].name"


def test_a_substance_row_without_its_substance_is_refused_not_dropped() -> None:
    with pytest.raises(InvalidInput) as caught:
        intake_from_form({"substance_use[0].severity": "severe"}, [])
    assert caught.value.field == "substance_use[0].substance"


def test_the_weight_is_read_as_a_number_and_an_empty_one_is_left_out() -> None:
    intake, _ = intake_from_form({"weight_kg": "61.5"}, [])
    assert isinstance(intake, dict) and intake["weight_kg"] == 61.5
    intake, _ = intake_from_form({"weight_kg": ""}, [])
    assert isinstance(intake, dict) and "weight_kg" not in intake
