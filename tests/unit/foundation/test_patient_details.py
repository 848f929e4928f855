"""Patient details that can never be right are refused, naming the field (pure)."""

from dataclasses import replace
from datetime import date

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.patients import PatientDetails, age_on, validate_patient_details
from mdma_at.domain.vocabulary import Sex

TODAY = date(2026, 11, 22)
GOOD = PatientDetails("HC-0042", "Jordan Reyes", date(1984, 3, 12), Sex.FEMALE)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"study_id": "hc-1"}, "study_id"),
        ({"study_id": "X"}, "study_id"),
        ({"name": "  "}, "name"),
        ({"date_of_birth": date(2026, 11, 23)}, "date_of_birth"),
        ({"date_of_birth": date(1900, 1, 1)}, "date_of_birth"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_impossible_details_are_refused_naming_the_field(change: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_patient_details(replace(GOOD, **change), TODAY)
    assert refused.value.field == field


def test_good_details_pass() -> None:
    validate_patient_details(GOOD, TODAY)


@pytest.mark.parametrize(("born", "age"), [(date(2008, 11, 22), 18), (date(2008, 11, 23), 17)])
def test_age_turns_on_the_birthday(born: date, age: int) -> None:
    assert age_on(born, TODAY) == age
