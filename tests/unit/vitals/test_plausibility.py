"""Impossible vital signs are bad input, named by field and rule (issue 5 'Bad input')."""

from __future__ import annotations

import math

import pytest

from mdma_at.domain.errors import InvalidInput, InvalidInputs
from mdma_at.domain.vitals import VitalSigns, validate

OK = {"systolic": 120, "diastolic": 80, "heart_rate": 70, "temperature_c": 36.6}


def entry(**change: object) -> dict[str, object]:
    return {**OK, **change}


@pytest.mark.parametrize(
    "change",
    [
        {"systolic": 50, "diastolic": 30},
        {"systolic": 300},
        {"diastolic": 20},
        {"systolic": 120, "diastolic": 119},
        {"heart_rate": 20},
        {"heart_rate": 250},
        {"temperature_c": 30},
        {"temperature_c": 45},
        {"temperature_c": None},  # optional in a single reading (issue 9, item 3)
        {"spo2": 50},
        {"spo2": 100},
    ],
)
def test_values_at_the_plausible_bounds_are_accepted(change: dict[str, float]) -> None:
    assert isinstance(validate(**entry(**change)), VitalSigns)


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"systolic": 400}, "vitals.systolic", "400 is outside 50–300 mmHg"),
        ({"systolic": 300.5}, "vitals.systolic", "300.5 is outside 50–300 mmHg"),
        ({"systolic": 49}, "vitals.systolic", "49 is outside 50–300 mmHg"),
        ({"diastolic": 19}, "vitals.diastolic", "19 is below 20 mmHg"),
        ({"diastolic": 120}, "vitals.diastolic", "120 mmHg must be below the systolic 120 mmHg"),
        ({"diastolic": 130}, "vitals.diastolic", "130 mmHg must be below the systolic 120 mmHg"),
        ({"heart_rate": 19}, "vitals.heart_rate", "19 is outside 20–250 beats/min"),
        ({"heart_rate": 251}, "vitals.heart_rate", "251 is outside 20–250 beats/min"),
        ({"temperature_c": 29.9}, "vitals.temperature_c", "29.9 is outside 30–45 °C"),
        ({"temperature_c": 45.1}, "vitals.temperature_c", "45.1 is outside 30–45 °C"),
        ({"systolic": "120"}, "vitals.systolic", "'120' is not a number of mmHg"),
        ({"heart_rate": True}, "vitals.heart_rate", "True is not a number of beats/min"),
        ({"temperature_c": "warm"}, "vitals.temperature_c", "'warm' is not a number of °C"),
        # Issue 9 'Bad input': SpO2 outside 50–100 %.
        ({"spo2": 49.9}, "vitals.spo2", "49.9 is outside 50–100 %"),
        ({"spo2": 100.1}, "vitals.spo2", "100.1 is outside 50–100 %"),
        ({"systolic": math.nan}, "vitals.systolic", "nan is not a finite number of mmHg"),
    ],
)
def test_impossible_values_are_refused_naming_the_field_and_the_limit(
    change: dict[str, object], field: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        validate(**entry(**change))
    assert (error.value.field, error.value.reason) == (field, reason)
    assert str(error.value) == f"{field}: {reason}"


def test_the_field_prefix_names_the_event_in_a_timeline() -> None:
    with pytest.raises(InvalidInput) as error:
        validate(**entry(systolic=400), field="events[3]")
    assert error.value.field == "events[3].systolic"


def test_every_impossible_field_is_named_at_once() -> None:
    # 400 mmHg is outside 50–300 and "fast" is not a number (issue 13, item 6: all at once).
    with pytest.raises(InvalidInputs) as wrong:
        validate(400, 80, "fast", 36.6)
    assert [f for f, _ in wrong.value.problems] == ["vitals.systolic", "vitals.heart_rate"]
    assert wrong.value.field == "vitals.systolic"  # the first, for one-error handlers
