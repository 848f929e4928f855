"""Whatever JSON arrives, `parse_intake` either returns an intake or raises `InvalidInput`
(never a bare TypeError or KeyError), and `screen` answers every intake it accepts."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mdma_at.domain.eligibility import parse_intake, screen
from mdma_at.domain.errors import InvalidInput
from mdma_at.protocols.mapp_v1 import MAPP_V1

BASE: dict[str, Any] = {
    "screening_date": "2026-11-02", "age": 41, "sex": "female", "childbearing_potential": True,
    "pregnant": False, "breastfeeding": False, "pregnancy_test": "negative",
    "vitals": {"systolic": 128, "diastolic": 82, "heart_rate": 74, "temperature_c": 36.7},
    "ecg": {"qtc_ms": 431}, "ptsd": {"caps5_total": 41, "meets_dsm5": True, "duration_months": 30},
    "conditions": [{"code": "hypertension", "controlled": True}],
    "substance_use": [{"substance": "cocaine", "severity": "mild", "in_remission": False,
                       "last_use": "2025-10-20"}],
    "suicide_risk": "low",
    "medications": [{"name": "sertraline", "last_dose": "2026-10-15"}],
}  # fmt: skip

json_values = st.recursive(
    # NaN and infinities included: JSON readers accept them (issue 10).
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.floats()
    | st.text(max_size=12) | st.sampled_from(["2026-10-01", "male", "severe", "negative", ""]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)  # fmt: skip

PATHS = [
    ("age",), ("sex",), ("screening_date",), ("pregnancy_test",), ("vitals",),
    ("vitals", "systolic"), ("vitals", "diastolic"), ("vitals", "temperature_c"), ("ecg",),
    ("ecg", "qtc_ms"), ("ptsd",), ("ptsd", "duration_months"), ("conditions",),
    ("conditions", 0), ("conditions", 0, "controlled"), ("substance_use", 0, "last_use"),
    ("substance_use", 0, "severity"), ("medications",), ("medications", 0),
    ("medications", 0, "name"), ("medications", 0, "last_dose"), ("suicide_risk",),
    ("weight_kg",),
]  # fmt: skip

NUMBER_PATHS = [
    ("age",), ("vitals", "systolic"), ("vitals", "diastolic"), ("vitals", "heart_rate"),
    ("vitals", "temperature_c"), ("weight_kg",), ("ecg", "qtc_ms"), ("ptsd", "caps5_total"),
    ("ptsd", "duration_months"),
]  # fmt: skip


@given(
    st.sampled_from(NUMBER_PATHS),
    st.sampled_from([float("nan"), float("inf"), float("-inf")]),
)
def test_a_non_finite_number_in_any_number_field_is_refused_naming_it(
    path: tuple[str, ...], value: float
) -> None:
    document = copy.deepcopy(BASE)
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        parse_intake(document)
    except InvalidInput as error:
        assert error.field == ".".join(path)
    else:
        raise AssertionError(f"{path} accepted {value}")


@settings(max_examples=300)
@given(st.sampled_from(PATHS), json_values)
def test_any_value_in_any_field_is_parsed_or_refused_as_bad_input(
    path: tuple[str | int, ...], value: object
) -> None:
    document = copy.deepcopy(BASE)
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        intake = parse_intake(document)
    except InvalidInput as error:
        assert error.field and error.reason
        return
    result = screen(intake, MAPP_V1.eligibility, MAPP_V1.medications)
    assert result.to_dict()["decision"] in {
        "ineligible", "needs_review", "eligible_after_washout", "eligible",
    }  # fmt: skip


@settings(max_examples=200)
@given(st.sampled_from(PATHS), json_values)
def test_every_accepted_intake_survives_a_round_trip_through_its_canonical_form(
    path: tuple[str | int, ...], value: object
) -> None:
    document = copy.deepcopy(BASE)
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        intake = parse_intake(document)
    except InvalidInput:
        return
    assert parse_intake(intake.to_dict()) == intake
