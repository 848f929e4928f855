"""Golden table: screening intake → criterion status and decision, under protocol mapp_v1.

Each row starts from a candidate who meets every criterion (`BASE`) and changes one thing. Every
threshold is tested just below, at and just above its limit. A clinician reads a row as: "with
<change>, criterion <id> is <status> and the decision is <decision>".
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mdma_at.domain.eligibility import parse_intake, screen
from mdma_at.protocols.mapp_v1 import MAPP_V1

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
    "conditions": [],
    "substance_use": [],
    "suicide_risk": "low",
    "medications": [],
}


def intake_with(**changes: Any) -> dict[str, Any]:
    """BASE with top-level fields replaced; nested dicts merged (``vitals={"systolic": 150}``)."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def verdict(data: dict[str, Any]) -> dict[str, Any]:
    result = screen(parse_intake(data), MAPP_V1.eligibility, MAPP_V1.medications).to_dict()
    result["by_id"] = {c["id"]: c for c in result["criteria"]}
    return result


def test_the_base_candidate_meets_every_criterion_and_is_eligible() -> None:
    result = verdict(BASE)
    assert result["decision"] == "eligible"
    assert {c["status"] for c in result["criteria"]} == {"met"}
    assert result["earliest_baseline"] is None


# (change, criterion id, expected status, expected decision)
THRESHOLDS = [
    # Age: ≥ 18 is met.
    ({"age": 17}, "age", "not_met", "ineligible"),
    ({"age": 18}, "age", "met", "eligible"),
    ({"age": 19}, "age", "met", "eligible"),
    # CAPS-5 total: ≥ 28 is met.
    ({"ptsd": {"caps5_total": 27}}, "caps5_total", "not_met", "ineligible"),
    ({"ptsd": {"caps5_total": 28}}, "caps5_total", "met", "eligible"),
    ({"ptsd": {"caps5_total": 29}}, "caps5_total", "met", "eligible"),
    # Symptom duration: ≥ 6 months is met.
    ({"ptsd": {"duration_months": 5}}, "ptsd_duration", "not_met", "ineligible"),
    ({"ptsd": {"duration_months": 6}}, "ptsd_duration", "met", "eligible"),
    ({"ptsd": {"duration_months": 7}}, "ptsd_duration", "met", "eligible"),
    # DSM-5 diagnosis.
    ({"ptsd": {"meets_dsm5": False}}, "ptsd_diagnosis", "not_met", "ineligible"),
    ({"ptsd": {"meets_dsm5": True}}, "ptsd_diagnosis", "met", "eligible"),
    # QTc: > 450 ms (male) excludes.
    ({"sex": "male", "ecg": {"qtc_ms": 449}}, "qtc", "met", "eligible"),
    ({"sex": "male", "ecg": {"qtc_ms": 450}}, "qtc", "met", "eligible"),
    ({"sex": "male", "ecg": {"qtc_ms": 451}}, "qtc", "not_met", "ineligible"),
    # QTc: > 460 ms (female) excludes.
    ({"sex": "female", "ecg": {"qtc_ms": 451}}, "qtc", "met", "eligible"),
    ({"sex": "female", "ecg": {"qtc_ms": 459}}, "qtc", "met", "eligible"),
    ({"sex": "female", "ecg": {"qtc_ms": 460}}, "qtc", "met", "eligible"),
    ({"sex": "female", "ecg": {"qtc_ms": 461}}, "qtc", "not_met", "ineligible"),
    # QTc: any other sex gets the stricter > 450 ms.
    ({"sex": "other", "ecg": {"qtc_ms": 449}}, "qtc", "met", "eligible"),
    ({"sex": "other", "ecg": {"qtc_ms": 450}}, "qtc", "met", "eligible"),
    ({"sex": "other", "ecg": {"qtc_ms": 451}}, "qtc", "not_met", "ineligible"),
    # Screening blood pressure: ≥ 140 systolic or ≥ 90 diastolic goes to the physician.
    ({"vitals": {"systolic": 139, "diastolic": 89}}, "blood_pressure", "met", "eligible"),
    ({"vitals": {"systolic": 140, "diastolic": 80}}, "blood_pressure", "needs_review",
     "needs_review"),
    ({"vitals": {"systolic": 130, "diastolic": 90}}, "blood_pressure", "needs_review",
     "needs_review"),
    ({"vitals": {"systolic": 141, "diastolic": 91}}, "blood_pressure", "needs_review",
     "needs_review"),
    # Measured today ≥ 160 systolic or ≥ 100 diastolic: not eligible today (issue 9, item 9).
    ({"vitals": {"systolic": 159, "diastolic": 99}}, "blood_pressure", "needs_review",
     "needs_review"),
    ({"vitals": {"systolic": 160, "diastolic": 80}}, "blood_pressure", "not_met", "ineligible"),
    ({"vitals": {"systolic": 161, "diastolic": 80}}, "blood_pressure", "not_met", "ineligible"),
    ({"vitals": {"systolic": 150, "diastolic": 100}}, "blood_pressure", "not_met", "ineligible"),
    ({"vitals": {"systolic": 150, "diastolic": 101}}, "blood_pressure", "not_met", "ineligible"),
    # Heart rate > 100/min at screening: re-check (issue 9, item 9).
    ({"vitals": {"heart_rate": 99}}, "heart_rate", "met", "eligible"),
    ({"vitals": {"heart_rate": 100}}, "heart_rate", "met", "eligible"),
    ({"vitals": {"heart_rate": 101}}, "heart_rate", "needs_review", "needs_review"),
    # Temperature ≥ 38.0 °C at screening: re-check (issue 9, item 9).
    ({"vitals": {"temperature_c": 37.9}}, "temperature", "met", "eligible"),
    ({"vitals": {"temperature_c": 38.0}}, "temperature", "needs_review", "needs_review"),
    ({"vitals": {"temperature_c": 38.1}}, "temperature", "needs_review", "needs_review"),
    # Weight below 48 kg (site default): the physician reviews; not recorded is met.
    ({"weight_kg": 47.9}, "weight", "needs_review", "needs_review"),
    ({"weight_kg": 48}, "weight", "met", "eligible"),
    ({"weight_kg": 48.1}, "weight", "met", "eligible"),
    ({"weight_kg": None}, "weight", "met", "eligible"),
    # Suicide risk.
    ({"suicide_risk": "none"}, "suicide_risk", "met", "eligible"),
    ({"suicide_risk": "low"}, "suicide_risk", "met", "eligible"),
    ({"suicide_risk": "moderate"}, "suicide_risk", "needs_review", "needs_review"),
    ({"suicide_risk": "high"}, "suicide_risk", "not_met", "ineligible"),
    # Pregnancy and breastfeeding.
    ({"pregnant": True}, "pregnancy", "not_met", "ineligible"),
    ({"breastfeeding": True}, "breastfeeding", "not_met", "ineligible"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "criterion", "status", "decision"), THRESHOLDS)
def test_each_threshold_just_below_at_and_just_above_its_limit(
    change: dict[str, Any], criterion: str, status: str, decision: str
) -> None:
    result = verdict(intake_with(**change))
    assert result["by_id"][criterion]["status"] == status, result["by_id"][criterion]
    assert result["decision"] == decision


def _use(substance: str, severity: str, in_remission: bool, days_before: int) -> dict[str, Any]:
    from datetime import date, timedelta

    last_use = date(2026, 11, 2) - timedelta(days=days_before)
    return {"substance": substance, "severity": severity, "in_remission": in_remission,
            "last_use": last_use.isoformat()}  # fmt: skip


@pytest.mark.parametrize("severity", ["mild", "moderate", "severe"])
@pytest.mark.parametrize("in_remission", [False, True])
@pytest.mark.parametrize(
    ("days_before", "status", "decision"),
    [
        (0, "not_met", "ineligible"),
        (364, "not_met", "ineligible"),
        (365, "not_met", "ineligible"),
        (366, "met", "eligible"),
        (367, "met", "eligible"),
    ],
)
def test_any_other_substance_use_disorder_with_use_within_365_days_excludes(
    severity: str, in_remission: bool, days_before: int, status: str, decision: str
) -> None:
    use = _use("cocaine", severity, in_remission, days_before)
    result = verdict(intake_with(substance_use=[use]))
    criterion = result["by_id"]["other_substance_use_disorder"]
    assert criterion["status"] == status
    # Severity and remission are read and shown, whatever the substance is called.
    assert f"{severity} cocaine use disorder" in criterion["reason"]
    assert f"last use {days_before} days before screening" in criterion["reason"]
    assert result["decision"] == decision
    if status == "met":
        assert criterion["reason"].startswith("history for the signing physician")


# Alcohol and cannabis: severity × remission × days since the last use (issue 9, item 10).
# Sustained remission = in remission and the last use more than 365 days before screening.
GRADED = [
    ("mild", False, 10, "met", "eligible"),
    ("mild", True, 10, "met", "eligible"),
    ("moderate", False, 10, "not_met", "ineligible"),
    ("moderate", False, 400, "not_met", "ineligible"),
    ("moderate", True, 10, "met", "eligible"),
    ("moderate", True, 400, "met", "eligible"),
    ("severe", False, 10, "not_met", "ineligible"),
    ("severe", False, 400, "not_met", "ineligible"),
    # Early remission (last use ≤ 365 days): severe still excludes.
    ("severe", True, 10, "not_met", "ineligible"),
    ("severe", True, 365, "not_met", "ineligible"),
    # Sustained remission: the physician decides.
    ("severe", True, 366, "needs_review", "needs_review"),
    ("severe", True, 800, "needs_review", "needs_review"),
]


@pytest.mark.parametrize("substance", ["alcohol", "cannabis"])
@pytest.mark.parametrize(("severity", "in_remission", "days", "status", "decision"), GRADED)
def test_alcohol_and_cannabis_use_disorders_by_severity_and_remission(
    substance: str, severity: str, in_remission: bool, days: int, status: str, decision: str
) -> None:
    result = verdict(intake_with(substance_use=[_use(substance, severity, in_remission, days)]))
    assert result["by_id"][f"{substance}_use_disorder"]["status"] == status
    assert result["by_id"]["other_substance_use_disorder"]["status"] == "met"
    assert result["decision"] == decision


@pytest.mark.parametrize(
    ("name", "criterion"),
    [("THC", "cannabis"), ("thc", "cannabis"), ("Weed", "cannabis"), ("hash", "cannabis"),
     ("Hashish", "cannabis"), ("Marijuana", "cannabis"), ("  MARIJUANA ", "cannabis"),
     ("Ethanol", "alcohol"), ("EtOH", "alcohol"), ("Cannabis", "cannabis")],
)  # fmt: skip
def test_every_name_of_cannabis_and_alcohol_is_judged_by_severity_and_remission(
    name: str, criterion: str
) -> None:
    # Moderate, not in remission, last used 400 days ago: outside the other-substance window,
    # so only the graded rule can exclude it.
    result = verdict(intake_with(substance_use=[_use(name, "moderate", False, 400)]))
    assert result["by_id"][f"{criterion}_use_disorder"]["status"] == "not_met"
    assert result["by_id"]["other_substance_use_disorder"]["status"] == "met"
    assert result["decision"] == "ineligible"


@pytest.mark.parametrize("name", ["nicotine", "Tobacco", "cigarettes", "E-Cigarettes"])
@pytest.mark.parametrize("severity", ["mild", "moderate", "severe"])
def test_nicotine_never_excludes(name: str, severity: str) -> None:
    result = verdict(intake_with(substance_use=[_use(name, severity, False, 0)]))
    criterion = result["by_id"]["nicotine_use_disorder"]
    assert criterion["status"] == "met"
    assert "note for the physician" in criterion["reason"]
    assert result["by_id"]["other_substance_use_disorder"]["status"] == "met"
    assert result["decision"] == "eligible"


def test_the_worst_entry_decides_and_every_entry_is_named() -> None:
    uses = [_use("alcohol", "mild", False, 5), _use("ethanol", "severe", False, 5)]
    criterion = verdict(intake_with(substance_use=uses))["by_id"]["alcohol_use_disorder"]
    assert criterion["status"] == "not_met"
    assert "severe alcohol use disorder" in criterion["reason"]


EXCLUDING_CONDITIONS = [
    "psychotic_disorder",
    "bipolar_i",
    "dissociative_identity_disorder",
    "eating_disorder_active_purging",
    "mdd_with_psychotic_features",
    "arrhythmia",
    "coronary_artery_disease",
    "heart_failure",
    "stroke",
    "aneurysm",
]


@pytest.mark.parametrize("code", EXCLUDING_CONDITIONS)
def test_each_excluding_condition_makes_the_candidate_ineligible(code: str) -> None:
    result = verdict(intake_with(conditions=[{"code": code}]))
    assert result["by_id"][code]["status"] == "not_met"
    assert result["decision"] == "ineligible"


@pytest.mark.parametrize("code", ["personality_disorder", "liver_disease", "seizure_disorder"])
def test_each_review_condition_goes_to_the_physician(code: str) -> None:
    result = verdict(intake_with(conditions=[{"code": code}]))
    assert result["by_id"][code]["status"] == "needs_review"
    assert result["decision"] == "needs_review"


@pytest.mark.parametrize("code", ["hepatitis_c", "diabetes", "hyperthyroidism", "glaucoma"])
def test_conditions_allowed_when_controlled_are_met_with_a_note(code: str) -> None:
    result = verdict(intake_with(conditions=[{"code": code}]))
    assert result["by_id"][code]["status"] == "met"
    assert "note for the physician" in result["by_id"][code]["reason"]
    assert result["decision"] == "eligible"


@pytest.mark.parametrize(
    ("controlled", "status", "decision"),
    [
        (True, "met", "eligible"),
        (False, "not_met", "ineligible"),
        (None, "needs_review", "needs_review"),
    ],
)
def test_hypertension_is_judged_by_its_control(
    controlled: bool | None, status: str, decision: str
) -> None:
    condition: dict[str, Any] = {"code": "hypertension"}
    if controlled is not None:
        condition["controlled"] = controlled
    result = verdict(intake_with(conditions=[condition]))
    assert result["by_id"]["hypertension"]["status"] == status
    assert result["decision"] == decision


def test_an_unknown_condition_code_goes_to_the_physician_by_name() -> None:
    result = verdict(intake_with(conditions=[{"code": "lupus"}, {"code": "diabetes"}]))
    unknown = result["by_id"]["unknown_conditions"]
    assert unknown["status"] == "needs_review"
    assert "'lupus'" in unknown["reason"]
    assert result["decision"] == "needs_review"


# Pregnancy test: (childbearing potential, test, status, decision)
PREGNANCY_TESTS = [
    (True, "negative", "met", "eligible"),
    (True, "positive", "not_met", "ineligible"),
    (True, "not_done", "not_met", "ineligible"),
    (True, None, "not_met", "ineligible"),
    (False, None, "met", "eligible"),
    (False, "not_done", "met", "eligible"),
    (False, "negative", "met", "eligible"),
    (False, "positive", "not_met", "ineligible"),
]


@pytest.mark.parametrize(("potential", "test", "status", "decision"), PREGNANCY_TESTS)
def test_pregnancy_test_states(
    potential: bool, test: str | None, status: str, decision: str
) -> None:
    result = verdict(intake_with(childbearing_potential=potential, pregnancy_test=test))
    assert result["by_id"]["pregnancy_test"]["status"] == status
    assert result["decision"] == decision


def test_an_unknown_medication_goes_to_the_physician_by_name() -> None:
    result = verdict(intake_with(medications=[{"name": "Zzyzx Forte", "last_dose": "2026-10-01"}]))
    criterion = result["by_id"]["washout_zzyzx_forte"]
    assert criterion["status"] == "needs_review"
    assert "'Zzyzx Forte'" in criterion["reason"]
    assert result["decision"] == "needs_review"
    assert result["washout"] == []


# Decision precedence: ineligible > needs_review > eligible_after_washout > eligible.
RUNNING_WASHOUT = {"name": "sertraline", "last_dose": "2026-10-15"}  # clears 2026-11-13
PRECEDENCE = [
    ({"age": 17, "suicide_risk": "moderate", "medications": [RUNNING_WASHOUT]}, "ineligible"),
    ({"suicide_risk": "moderate", "medications": [RUNNING_WASHOUT]}, "needs_review"),
    ({"medications": [RUNNING_WASHOUT]}, "eligible_after_washout"),
    ({}, "eligible"),
]


@pytest.mark.parametrize(("change", "decision"), PRECEDENCE)
def test_the_decision_follows_the_order_of_precedence(
    change: dict[str, Any], decision: str
) -> None:
    result = verdict(intake_with(**change))
    assert result["decision"] == decision
    if "medications" in change:
        assert result["earliest_baseline"] == "2026-11-13"
        assert result["by_id"]["washout_sertraline"]["status"] == "pending"


#: examples/intake.json (DESIGN.md §5 example), inlined so the test stands alone.
EXAMPLE: dict[str, Any] = {
    "screening_date": "2026-09-14", "age": 36, "sex": "male", "childbearing_potential": False,
    "pregnant": False, "breastfeeding": False, "pregnancy_test": None,
    "vitals": {"systolic": 131, "diastolic": 84, "heart_rate": 68, "temperature_c": 36.6},
    "ecg": {"qtc_ms": 418},
    "ptsd": {"caps5_total": 44, "meets_dsm5": True, "duration_months": 84},
    "conditions": [{"code": "hypertension", "controlled": True}],
    "substance_use": [{"substance": "alcohol", "severity": "mild", "in_remission": True,
                       "last_use": "2026-05-02"}],
    "suicide_risk": "low",
    "medications": [{"name": "paroxetine", "last_dose": "2026-09-01"},
                    {"name": "amlodipine", "last_dose": "2026-09-13"}],
}  # fmt: skip


def test_the_shared_example_intake_is_eligible() -> None:
    result = verdict(EXAMPLE)
    assert result["decision"] == "eligible"
    assert result["washout"] == [
        {"medication": "paroxetine", "last_dose": "2026-09-01", "half_life_hours": 21,
         "clear_on": "2026-09-13"}
    ]  # fmt: skip
    assert result["by_id"]["washout_paroxetine"]["status"] == "met"
    assert result["by_id"]["washout_amlodipine"]["status"] == "met"
    assert "needs no washout" in result["by_id"]["washout_amlodipine"]["reason"]
    assert result["by_id"]["hypertension"]["status"] == "met"
    assert result["earliest_baseline"] is None


# Reproduced cases from the top of issue 9 (screening), kept as regression tests.


def test_issue_9_a_heart_rate_of_150_is_no_longer_eligible() -> None:
    result = verdict(intake_with(vitals={"heart_rate": 150}))
    assert result["by_id"]["heart_rate"]["status"] == "needs_review"
    assert result["decision"] == "needs_review"


def test_issue_9_thc_is_recognised_as_cannabis() -> None:
    result = verdict(intake_with(substance_use=[_use("THC", "severe", False, 3)]))
    assert result["by_id"]["cannabis_use_disorder"]["status"] == "not_met"
    assert result["decision"] == "ineligible"


def test_issue_9_other_substance_use_disorders_read_severity_and_remission() -> None:
    result = verdict(intake_with(substance_use=[_use("cocaine", "severe", True, 500)]))
    reason = result["by_id"]["other_substance_use_disorder"]["reason"]
    assert "severe cocaine use disorder, in sustained remission" in reason
    assert result["decision"] == "eligible"


def test_issue_9_tobacco_no_longer_excludes() -> None:
    result = verdict(intake_with(substance_use=[_use("tobacco", "moderate", False, 1)]))
    assert result["decision"] == "eligible"


def test_issue_9_220_over_130_labelled_controlled_is_ineligible_today() -> None:
    result = verdict(
        intake_with(
            vitals={"systolic": 220, "diastolic": 130},
            conditions=[{"code": "hypertension", "controlled": True}],
        )
    )
    criterion = result["by_id"]["blood_pressure"]
    assert criterion["status"] == "not_met"
    assert "whatever the history says" in criterion["reason"]
    assert result["decision"] == "ineligible"


@pytest.mark.parametrize("name", ["smoking", "vaping", "vape"])
def test_an_ambiguous_name_is_never_read_as_nicotine(name: str) -> None:
    """'Vaping' may be THC: judged as another substance (excludes within 365 days), never waved
    through as nicotine."""
    result = verdict(intake_with(substance_use=[_use(name, "moderate", False, 30)]))
    assert result["by_id"]["other_substance_use_disorder"]["status"] == "not_met"
    assert result["by_id"]["nicotine_use_disorder"]["reason"] == "no nicotine use disorder recorded"
