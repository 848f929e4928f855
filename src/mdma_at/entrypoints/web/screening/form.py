"""The screening form ↔ the intake JSON (docs/screening.md).

Inputs are named by the intake's dotted paths (``vitals.diastolic``, ``medications[2].last_dose``)
so that the field an `InvalidInput` names is the input to mark. Rows left blank are skipped; an
error on a later row is mapped back to the row the physician typed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from mdma_at.domain.errors import InvalidInput

SUBSTANCE_ROWS = 3
MEDICATION_ROWS = 6
INTEGERS = (
    "age",
    "vitals.systolic",
    "vitals.diastolic",
    "vitals.heart_rate",
    "ecg.qtc_ms",
    "ecg.qt_ms",
    "ecg.rr_ms",
    "ecg.heart_rate",
    "ptsd.caps5_total",
    "ptsd.duration_months",
)
NUMBERS = ("vitals.temperature_c", "weight_kg")
BOOLEANS = ("childbearing_potential", "pregnant", "breastfeeding", "ptsd.meets_dsm5")
_ROW = re.compile(r"^(substance_use|medications)\[(\d+)\]")

FormValues = dict[str, Any]


def _set(target: dict[str, Any], path: str, value: object) -> None:
    head, _, rest = path.partition(".")
    if rest:
        _set(target.setdefault(head, {}), rest, value)
    else:
        target[head] = value


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _yes_no(values: Mapping[str, Any], name: str) -> bool | None:
    text = _text(values, name)
    if not text:
        return None
    if text in ("yes", "no"):
        return text == "yes"
    raise InvalidInput(name, f"must be yes or no, got {text!r}")


class RowMap:
    """Which form row each intake row came from, to name the field the physician sees."""

    def __init__(self) -> None:
        self.rows: dict[str, list[int]] = {"substance_use": [], "medications": []}

    def field(self, field: str) -> str:
        match = _ROW.match(field)
        if not match:
            return field
        kind, index = match.group(1), int(match.group(2))
        rows = self.rows[kind]
        if index >= len(rows):
            return field
        return f"{kind}[{rows[index]}]" + field[match.end() :]


def _refuse_a_row_without_its_name(
    values: Mapping[str, Any], prefix: str, name: str, others: tuple[str, ...]
) -> None:
    """A row with a date or severity but no name is bad input, never silently dropped."""
    if any(_text(values, f"{prefix}.{key}") for key in others):
        raise InvalidInput(f"{prefix}.{name}", "must not be empty: the row has other entries")


def _labs(values: Mapping[str, Any]) -> dict[str, Any]:
    """The laboratory panel's filled-in fields (``labs.alt``…); all blank: no panel recorded.

    Which analytes exist is the protocol's panel: an unknown one is refused by the verdict.
    """
    labs: dict[str, Any] = {}
    for name in values:
        if not name.startswith("labs.") or not _text(values, name):
            continue
        key, text = name.removeprefix("labs."), _text(values, name)
        if key == "urine_drug_screen":
            labs[key] = text
            continue
        try:
            labs[key] = float(text)
        except ValueError:
            raise InvalidInput(name, f"must be a number, got {text!r}") from None
    return labs


def intake_from_form(values: Mapping[str, Any], conditions: list[str]) -> tuple[object, RowMap]:
    """Build the intake JSON from the posted form; refuse numbers that are not numbers.

    Args:
        values: the posted fields (single values).
        conditions: the ticked condition codes (``conditions`` checkboxes).

    Raises:
        InvalidInput: a number field holding text (named by its input).
    """
    rows = RowMap()
    intake: dict[str, Any] = {}
    for name in ("screening_date", "sex", "suicide_risk"):
        if _text(values, name):
            intake[name] = _text(values, name)
    for name in INTEGERS:
        text = _text(values, name)
        if text:
            try:
                _set(intake, name, int(text))
            except ValueError:
                raise InvalidInput(name, f"must be a whole number, got {text!r}") from None
    for name in NUMBERS:
        text = _text(values, name)
        if text:
            try:
                _set(intake, name, float(text))
            except ValueError:
                raise InvalidInput(name, f"must be a number, got {text!r}") from None
    for name in BOOLEANS:
        answer = _yes_no(values, name)
        if answer is not None:
            _set(intake, name, answer)
    intake["pregnancy_test"] = _text(values, "pregnancy_test") or None
    if _text(values, "ecg.correction"):
        _set(intake, "ecg.correction", _text(values, "ecg.correction"))
    labs = _labs(values)
    if labs:
        intake["labs"] = labs
    codes = [c.strip().lower() for c in conditions if c.strip()]
    codes += [c.strip().lower() for c in _text(values, "other_conditions").split(",") if c.strip()]
    controlled = _yes_no(values, "hypertension_controlled")
    intake["conditions"] = [
        {"code": code, "controlled": controlled if code == "hypertension" else None}
        for code in dict.fromkeys(codes)
    ]
    intake["substance_use"] = []
    for i in range(SUBSTANCE_ROWS):
        prefix = f"substance_use[{i}]"
        if not _text(values, f"{prefix}.substance"):
            _refuse_a_row_without_its_name(values, prefix, "substance", ("severity", "last_use"))
            continue
        rows.rows["substance_use"].append(i)
        entry: dict[str, Any] = {
            "substance": _text(values, f"{prefix}.substance"),
            "in_remission": _yes_no(values, f"{prefix}.in_remission") or False,
        }
        for key in ("severity", "last_use"):
            if _text(values, f"{prefix}.{key}"):
                entry[key] = _text(values, f"{prefix}.{key}")
        intake["substance_use"].append(entry)
    intake["medications"] = []
    for i in range(MEDICATION_ROWS):
        prefix = f"medications[{i}]"
        if not _text(values, f"{prefix}.name"):
            _refuse_a_row_without_its_name(values, prefix, "name", ("last_dose",))
            continue
        rows.rows["medications"].append(i)
        medication = {"name": _text(values, f"{prefix}.name")}
        if _text(values, f"{prefix}.last_dose"):
            medication["last_dose"] = _text(values, f"{prefix}.last_dose")
        intake["medications"].append(medication)
    return intake, rows


def form_from_intake(intake: Mapping[str, Any]) -> tuple[FormValues, list[str]]:
    """The form values of a stored intake (to start a re-screening from the last one)."""
    values: FormValues = {}

    def flat(prefix: str, data: Mapping[str, Any]) -> None:
        for key, value in data.items():
            name = f"{prefix}{key}"
            if isinstance(value, Mapping):
                flat(f"{name}.", value)
            elif isinstance(value, bool):
                values[name] = "yes" if value else "no"
            elif value is not None and not isinstance(value, list):
                values[name] = str(value)

    flat("", intake)
    if "ecg.qt_ms" in values:
        # The QTc was computed from the raw tracing: the form holds the tracing, not both (a
        # re-screening with both would be refused, ADR 0135).
        values.pop("ecg.qtc_ms", None)
    conditions = [str(c["code"]) for c in intake.get("conditions", [])]
    for c in intake.get("conditions", []):
        if c["code"] == "hypertension" and c.get("controlled") is not None:
            values["hypertension_controlled"] = "yes" if c["controlled"] else "no"
    for i, use in enumerate(intake.get("substance_use", [])[:SUBSTANCE_ROWS]):
        flat(f"substance_use[{i}].", use)
    for i, medication in enumerate(intake.get("medications", [])[:MEDICATION_ROWS]):
        flat(f"medications[{i}].", medication)
    return values, conditions


def blank_form(today: date, sex: str, date_of_birth: date) -> tuple[FormValues, list[str]]:
    """A new form: today's date, the age and sex from the patient's record."""
    age = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        age -= 1
    return {"screening_date": today.isoformat(), "age": str(age), "sex": sex}, []
