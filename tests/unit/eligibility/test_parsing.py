"""`parse_intake`: valid intakes become values; input that can never be valid is refused with the
field named by its dotted path and a reason naming the value and the limit."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from mdma_at.domain.eligibility import ConditionReport, SudSeverity, parse_intake
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.vocabulary import CssrsRisk, MedicationUse, PregnancyTest, Sex

BASE: dict[str, Any] = {
    "screening_date": "2026-11-02",
    "age": 41,
    "sex": "female",
    "childbearing_potential": True,
    "pregnant": False,
    "breastfeeding": False,
    "pregnancy_test": "negative",
    "vitals": {"systolic": 128, "diastolic": 82, "heart_rate": 74, "temperature_c": 36.7},
    "ecg": {"qtc_ms": 431},
    "ptsd": {"caps5_total": 41, "meets_dsm5": True, "duration_months": 30},
    "conditions": [{"code": "Hypertension", "controlled": True}],
    "substance_use": [
        {"substance": "Alcohol", "severity": "mild", "in_remission": False,
         "last_use": "2026-10-20"}
    ],
    "suicide_risk": "low",
    "medications": [{"name": " Zoloft ", "last_dose": "2026-10-15"}],
}  # fmt: skip


def _with(path: str, value: object) -> dict[str, Any]:
    """BASE with the field at a dotted path set; the value `...` deletes it."""
    document = copy.deepcopy(BASE)
    target: Any = document
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last: Any = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return document


def test_a_valid_intake_becomes_typed_values() -> None:
    intake = parse_intake(BASE)
    assert intake.screening_date == date(2026, 11, 2)
    assert intake.sex is Sex.FEMALE
    assert intake.pregnancy_test is PregnancyTest.NEGATIVE
    assert intake.suicide_risk is CssrsRisk.LOW
    assert intake.vitals.temperature_c == 36.7
    assert intake.conditions == (ConditionReport("hypertension", True),)
    assert intake.substance_use[0].substance == "alcohol"
    assert intake.substance_use[0].severity is SudSeverity.MILD
    assert intake.medications == (MedicationUse("Zoloft", date(2026, 10, 15)),)


def test_pregnancy_test_may_be_null_or_absent() -> None:
    assert parse_intake(_with("pregnancy_test", None)).pregnancy_test is None
    assert parse_intake(_with("pregnancy_test", ...)).pregnancy_test is None


def test_controlled_may_be_absent_and_empty_lists_are_allowed() -> None:
    intake = parse_intake(
        {**_with("conditions", [{"code": "diabetes"}]), "medications": [], "substance_use": []}
    )
    assert intake.conditions == (ConditionReport("diabetes", None),)
    assert intake.medications == ()


def test_clinical_values_outside_the_protocol_limits_are_valid_input() -> None:
    # The criteria judge these; only impossible values are bad input.
    intake = parse_intake({**_with("age", 17), "ecg": {"qtc_ms": 520}})
    assert intake.age == 17
    assert intake.ecg.qtc_ms == 520


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("age", 120),
        ("ecg.qtc_ms", 250),
        ("ecg.qtc_ms", 700),
        ("vitals.diastolic", 127),
        ("ptsd.caps5_total", 0),
        ("ptsd.caps5_total", 80),
        ("medications[0].last_dose", "2026-11-02"),
        ("substance_use[0].last_use", "2026-11-02"),
        ("vitals.temperature_c", 37),
    ],
)
def test_values_at_the_edge_of_plausibility_are_accepted(path: str, value: object) -> None:
    parse_intake(_with(path, value))


def test_an_age_of_zero_is_plausible_input_and_its_duration_is_bounded_by_it() -> None:
    intake = parse_intake({**_with("age", 0), "ptsd": {**BASE["ptsd"], "duration_months": 11}})
    assert intake.age == 0


BAD_INPUT = [
    # Age: negative or implausible.
    ("age", -1, "age", "-1 is negative"),
    ("age", 121, "age", "121 is implausible (above 120)"),
    # Diastolic at or above the systolic.
    ("vitals.diastolic", 130, "vitals.diastolic", "130 must be below the systolic 128"),
    ("vitals.diastolic", 128, "vitals.diastolic", "128 must be below the systolic 128"),
    # Implausible vitals.
    ("vitals.systolic", 49, "vitals.systolic", "49 is below the plausible minimum 50"),
    ("vitals.systolic", 301, "vitals.systolic", "301 is implausible (above 300)"),
    ("vitals.diastolic", 19, "vitals.diastolic", "19 is below the plausible minimum 20"),
    ("vitals.heart_rate", 19, "vitals.heart_rate", "19 is below the plausible minimum 20"),
    ("vitals.heart_rate", 251, "vitals.heart_rate", "251 is implausible (above 250)"),
    ("vitals.temperature_c", 29.9, "vitals.temperature_c",
     "29.9 is below the plausible minimum 30"),
    ("vitals.temperature_c", 45.1, "vitals.temperature_c", "45.1 is implausible (above 45)"),
    # QTc outside 250–700 ms.
    ("ecg.qtc_ms", 249, "ecg.qtc_ms", "249 ms is outside the plausible 250–700 ms"),
    ("ecg.qtc_ms", 701, "ecg.qtc_ms", "701 ms is outside the plausible 250–700 ms"),
    # CAPS-5 outside 0–80; duration impossible.
    ("ptsd.caps5_total", 81, "ptsd.caps5_total", "81 is outside the CAPS-5 range 0–80"),
    ("ptsd.caps5_total", -1, "ptsd.caps5_total", "-1 is outside the CAPS-5 range 0–80"),
    ("ptsd.duration_months", -1, "ptsd.duration_months", "-1 is negative"),
    ("ptsd.duration_months", 600, "ptsd.duration_months",
     "600 months is longer than the candidate's life (age 41 years)"),
    # A last dose or last use after the screening date.
    ("medications[0].last_dose", "2026-11-03", "medications[0].last_dose",
     "last dose 2026-11-03 is after the screening date 2026-11-02"),
    ("substance_use[0].last_use", "2027-01-01", "substance_use[0].last_use",
     "last use 2027-01-01 is after the screening date 2026-11-02"),
    # Malformed dates.
    ("screening_date", "02/11/2026", "screening_date",
     "'02/11/2026' is not a date in the form YYYY-MM-DD"),
    ("screening_date", "2026-02-30", "screening_date", "'2026-02-30' is not a calendar date"),
    ("screening_date", "20261102", "screening_date",
     "'20261102' is not a date in the form YYYY-MM-DD"),
    ("screening_date", 20261102, "screening_date", "a number is not a date in the form YYYY-MM-DD"),
    ("medications[0].last_dose", "2026-10-15T08:00", "medications[0].last_dose",
     "'2026-10-15T08:00' is not a date in the form YYYY-MM-DD"),
    # Wrong types.
    ("age", "41", "age", "must be a whole number, got a string"),
    ("age", 41.5, "age", "must be a whole number, got a number"),
    ("age", True, "age", "must be a whole number, got a boolean"),
    ("pregnant", "no", "pregnant", "must be true or false, got a string"),
    ("pregnant", 0, "pregnant", "must be true or false, got a number"),
    ("vitals.temperature_c", "36.7", "vitals.temperature_c", "must be a number, got a string"),
    ("conditions[0].controlled", "yes", "conditions[0].controlled",
     "must be true, false or null, got a string"),
    ("conditions[0].code", "", "conditions[0].code", "must not be empty"),
    ("medications", {"name": "x"}, "medications", "must be a list, got an object"),
    ("medications[0]", "sertraline", "medications[0]", "must be an object, got a string"),
    ("vitals", None, "vitals", "must be an object, got null"),
    ("sex", None, "sex", "must be one of male, female, other, got null"),
    # Missing required fields.
    ("ptsd", ..., "ptsd", "is required"),
    ("screening_date", ..., "screening_date", "is required"),
    ("ptsd.caps5_total", ..., "ptsd.caps5_total", "is required"),
    ("medications", ..., "medications", "is required"),
    ("medications[0].last_dose", ..., "medications[0].last_dose", "is required"),
    ("substance_use[0].in_remission", ..., "substance_use[0].in_remission", "is required"),
    # Unknown enumerated values.
    ("sex", "unknown", "sex", "'unknown' is not one of male, female, other"),
    ("sex", "Male", "sex", "'Male' is not one of male, female, other"),
    ("suicide_risk", "severe", "suicide_risk", "'severe' is not one of none, low, moderate, high"),
    ("substance_use[0].severity", "heavy", "substance_use[0].severity",
     "'heavy' is not one of mild, moderate, severe"),
    ("pregnancy_test", "maybe", "pregnancy_test",
     "'maybe' is not one of negative, positive, not_done"),
    # Unknown fields are refused, so a misspelt optional field is never silently dropped.
    ("pregnancy_tset", "negative", "pregnancy_tset", "unknown field"),
    ("vitals.spo2", 98, "vitals.spo2", "unknown field"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "field", "reason"), BAD_INPUT)
def test_bad_input_names_the_field_the_value_and_the_limit(
    path: str, value: object, field: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_intake(_with(path, value))
    assert (raised.value.field, raised.value.reason) == (field, reason)


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_intake([BASE])  # type: ignore[arg-type]
    assert (raised.value.field, raised.value.reason) == ("intake", "must be an object, got a list")


def test_the_canonical_form_reads_back_equal() -> None:
    intake = parse_intake(BASE)
    canonical = intake.to_dict()
    assert parse_intake(canonical) == intake
    assert canonical["conditions"] == [{"code": "hypertension", "controlled": True}]
    assert canonical["medications"] == [{"name": "Zoloft", "last_dose": "2026-10-15"}]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("vitals.temperature_c", float("nan")),
        ("vitals.temperature_c", float("inf")),
        ("vitals.temperature_c", float("-inf")),
        ("weight_kg", float("nan")),
        ("weight_kg", float("inf")),
    ],
)
def test_non_finite_numbers_are_refused_naming_the_field(path: str, value: float) -> None:
    """Issue 10: a NaN temperature compared false with every limit and was screened eligible."""
    with pytest.raises(InvalidInput) as caught:
        parse_intake(_with(path, value))
    assert caught.value.field == path
    assert "not a finite number" in caught.value.reason


def test_weight_is_optional_and_read_back_equal() -> None:
    assert parse_intake(BASE).weight_kg is None
    assert parse_intake(_with("weight_kg", None)).weight_kg is None
    intake = parse_intake(_with("weight_kg", 61.5))
    assert intake.weight_kg == 61.5
    assert parse_intake(intake.to_dict()) == intake


@pytest.mark.parametrize(("value", "reason"), [(19.9, "below the plausible minimum 20"),
                                               (351, "implausible (above 350)"),
                                               ("60", "must be a number")])  # fmt: skip
def test_an_impossible_weight_is_refused(value: object, reason: str) -> None:
    with pytest.raises(InvalidInput, match=r"weight_kg") as caught:
        parse_intake(_with("weight_kg", value))
    assert reason in caught.value.reason


@pytest.mark.parametrize("name", ["", "   ", None])
def test_a_medication_without_a_name_is_refused(name: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_intake(_with("medications[0].name", name))
    assert caught.value.field == "medications[0].name"


def test_a_medication_with_no_name_field_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_intake(_with("medications[0].name", ...))
    assert (caught.value.field, caught.value.reason) == ("medications[0].name", "is required")
