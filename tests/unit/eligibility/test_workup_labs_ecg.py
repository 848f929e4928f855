"""The screening work-up (issue 14, item 3): the laboratory panel against the protocol's reference
ranges, and the ECG's QT correction feeding the QTc criterion."""

from __future__ import annotations

import math
from typing import Any

import pytest

from mdma_at.domain.eligibility import (
    CriterionStatus,
    Decision,
    QtCorrection,
    corrected_qt,
    parse_intake,
    screen,
)
from mdma_at.domain.errors import InvalidInput
from mdma_at.protocols import get_protocol

MAPP = get_protocol("mapp_v1")

#: Every analyte inside the mapp_v1 site-default ranges (ADR 0143; attributed to Kratz et al., NEJM
#: 2004, unverified) and eGFR ≥ 60 (KDIGO 2012).
NORMAL_LABS: dict[str, Any] = {
    "alt": 20, "ast": 22, "bilirubin": 9, "creatinine": 80, "egfr": 95, "sodium": 140,
    "potassium": 4.1, "tsh": 1.8, "urine_drug_screen": "negative",
}  # fmt: skip


def intake(**changes: Any) -> dict[str, Any]:
    """An eligible candidate (the DESIGN.md §5 example without medications or conditions)."""
    data: dict[str, Any] = {
        "screening_date": "2026-11-02", "age": 41, "sex": "female",
        "childbearing_potential": False, "pregnant": False, "breastfeeding": False,
        "pregnancy_test": "negative",
        "vitals": {"systolic": 128, "diastolic": 82, "heart_rate": 74, "temperature_c": 36.7},
        "ecg": {"qtc_ms": 431},
        "ptsd": {"caps5_total": 41, "meets_dsm5": True, "duration_months": 30},
        "conditions": [], "substance_use": [], "suicide_risk": "low", "medications": [],
        "labs": dict(NORMAL_LABS),
    }  # fmt: skip
    data.update(changes)
    return data


def verdict(data: dict[str, Any]) -> Any:
    return screen(parse_intake(data), MAPP.eligibility, MAPP.medications)


def test_a_normal_panel_keeps_the_candidate_eligible() -> None:
    result = verdict(intake())
    assert result.decision is Decision.ELIGIBLE
    assert result.criterion("lab_alt").status is CriterionStatus.MET


@pytest.mark.parametrize(
    ("analyte", "value", "status"),
    [
        # ALT site-default range 7–33 U/L (ADR 0143): just inside and just outside
        ("alt", 33, CriterionStatus.MET),
        ("alt", 34, CriterionStatus.NEEDS_REVIEW),
        ("alt", 7, CriterionStatus.MET),
        ("alt", 6, CriterionStatus.NEEDS_REVIEW),
        # sodium site-default range 135–145 mmol/L (ADR 0143)
        ("sodium", 134, CriterionStatus.NEEDS_REVIEW),
        ("sodium", 145, CriterionStatus.MET),
        # eGFR: < 60 mL/min/1.73 m² is KDIGO G3a or worse; no upper limit
        ("egfr", 59, CriterionStatus.NEEDS_REVIEW),
        ("egfr", 60, CriterionStatus.MET),
        ("egfr", 150, CriterionStatus.MET),
    ],
)
def test_each_result_is_judged_at_its_reference_range(
    analyte: str, value: float, status: CriterionStatus
) -> None:
    labs = {**NORMAL_LABS, analyte: value}
    assert verdict(intake(labs=labs)).criterion(f"lab_{analyte}").status is status


def test_an_out_of_range_alt_turns_the_verdict_to_review_naming_analyte_value_unit_and_range() -> (
    None
):
    result = verdict(intake(labs={**NORMAL_LABS, "alt": 88}))
    assert result.decision is Decision.NEEDS_REVIEW
    reason = result.criterion("lab_alt").reason
    assert "ALT 88 U/L" in reason
    assert "above the reference range 7–33 U/L" in reason


def test_a_positive_drug_screen_and_a_missing_analyte_need_review() -> None:
    labs = {k: v for k, v in NORMAL_LABS.items() if k != "tsh"}
    labs["urine_drug_screen"] = "positive"
    result = verdict(intake(labs=labs))
    assert result.criterion("lab_urine_drug_screen").status is CriterionStatus.NEEDS_REVIEW
    assert "TSH" in result.criterion("lab_panel").reason


def test_an_intake_without_a_panel_is_judged_as_before() -> None:
    data = intake()
    del data["labs"]
    result = verdict(data)
    assert result.decision is Decision.ELIGIBLE
    assert not [c for c in result.criteria if c.id.startswith("lab_")]


@pytest.mark.parametrize(
    ("labs", "field", "words"),
    [
        ({"alt": math.nan}, "labs.alt", "not a finite number"),
        ({"alt": math.inf}, "labs.alt", "not a finite number"),
        ({"alt": "high"}, "labs.alt", "must be a number"),
        ({"alt": 20_000}, "labs.alt", "physiological limits"),
        ({"potassium": 0.2}, "labs.potassium", "physiological limits"),
        ({"ldl": 3.0}, "labs.ldl", "unknown analyte"),
        ({"urine_drug_screen": "maybe"}, "labs.urine_drug_screen", "not one of"),
    ],
)
def test_impossible_lab_values_are_refused_with_the_field(
    labs: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        verdict(intake(labs={**NORMAL_LABS, **labs}))
    assert refused.value.field == field
    assert words in refused.value.reason


@pytest.mark.parametrize(
    ("qt", "rr", "method", "expected"),
    [
        # At RR = 1000 ms both formulas give QTc = QT (Bazett 1920; Fridericia 1920).
        (400, 1000, QtCorrection.BAZETT, 400),
        (400, 1000, QtCorrection.FRIDERICIA, 400),
        # RR 640 ms: √0.64 = 0.8, so Bazett 360 / 0.8 = 450; ∛0.64 = 0.8618, 360 / 0.8618 = 417.7
        (360, 640, QtCorrection.BAZETT, 450),
        (360, 640, QtCorrection.FRIDERICIA, 418),
        # RR 1440 ms: √1.44 = 1.2, Bazett 480 / 1.2 = 400
        (480, 1440, QtCorrection.BAZETT, 400),
    ],
)
def test_qt_correction_by_hand_computed_values(
    qt: int, rr: int, method: QtCorrection, expected: int
) -> None:
    assert corrected_qt(qt, rr, method) == expected


def test_the_corrected_qtc_feeds_the_qtc_criterion_with_its_method() -> None:
    # Female limit > 460 ms (mapp_v1). HR 75/min → RR 800 ms; √0.8 = 0.8944: 420 / 0.8944 = 469.6
    ecg = {"qt_ms": 420, "heart_rate": 75, "correction": "bazett"}
    result = verdict(intake(ecg=ecg))
    qtc = result.criterion("qtc")
    assert qtc.status is CriterionStatus.NOT_MET
    assert "QTc 470 ms (Bazett, from QT 420 ms at HR 75/min)" in qtc.reason
    # The same tracing by Fridericia: ∛0.8 = 0.9283, 420 / 0.9283 = 452.4 ms: within 460 ms
    fridericia = verdict(intake(ecg={**ecg, "correction": "fridericia"})).criterion("qtc")
    assert fridericia.status is CriterionStatus.MET
    assert parse_intake(intake(ecg=ecg)).to_dict()["ecg"] == {**ecg, "qtc_ms": 470}


@pytest.mark.parametrize(
    ("ecg", "field", "words"),
    [
        ({"qtc_ms": 249}, "ecg.qtc_ms", "outside the plausible 250–700 ms"),
        ({"qtc_ms": 701}, "ecg.qtc_ms", "outside the plausible 250–700 ms"),
        ({"qtc_ms": 430, "correction": "hodges"}, "ecg.correction", "not one of"),
        ({"qt_ms": 400, "rr_ms": 800}, "ecg.correction", "required"),
        ({"qt_ms": 400, "correction": "bazett"}, "ecg.rr_ms", "required"),
        # QT 690 ms at RR 640 ms by Bazett: 690 / 0.8 = 862 ms, outside 250–700 ms
        ({"qt_ms": 690, "rr_ms": 640, "correction": "bazett"}, "ecg.qtc_ms", "outside"),
        (
            {"qtc_ms": 430, "qt_ms": 400, "rr_ms": 900, "correction": "bazett"},
            "ecg.qtc_ms",
            "not both",
        ),
    ],
)  # fmt: skip
def test_impossible_ecgs_are_refused_with_the_field(
    ecg: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_intake(intake(ecg=ecg))
    assert refused.value.field == field
    assert words in refused.value.reason
