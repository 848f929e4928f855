"""The screening form's laboratory and ECG fields ↔ the intake JSON (issue 14)."""

from __future__ import annotations

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.entrypoints.web.screening.form import form_from_intake, intake_from_form


def test_lab_and_raw_ecg_fields_become_the_intake_and_come_back() -> None:
    values = {
        "labs.alt": "88",
        "labs.potassium": "4.1",
        "labs.urine_drug_screen": "negative",
        "labs.tsh": "",
        "ecg.qt_ms": "420",
        "ecg.heart_rate": "75",
        "ecg.correction": "fridericia",
    }
    intake, _ = intake_from_form(values, [])
    assert intake["labs"] == {"alt": 88.0, "potassium": 4.1, "urine_drug_screen": "negative"}  # type: ignore[index]
    assert intake["ecg"] == {"qt_ms": 420, "heart_rate": 75, "correction": "fridericia"}  # type: ignore[index]
    stored = {**intake, "ecg": {**intake["ecg"], "qtc_ms": 452}}  # type: ignore[dict-item]
    back, _ = form_from_intake(stored)
    assert back["labs.alt"] == "88.0" and back["ecg.qt_ms"] == "420"
    assert "ecg.qtc_ms" not in back  # computed: re-screening keeps the tracing, not both


def test_no_lab_field_filled_means_no_panel() -> None:
    intake, _ = intake_from_form({"ecg.qtc_ms": "420"}, [])
    assert "labs" not in intake  # type: ignore[operator]


def test_a_lab_value_that_is_not_a_number_names_its_input() -> None:
    with pytest.raises(InvalidInput) as refused:
        intake_from_form({"labs.alt": "high"}, [])
    assert refused.value.field == "labs.alt"
