"""`mdma-at screen INTAKE.json --json`: the contract of DESIGN.md §5.

Exit 0 for any decision (an `ineligible` verdict is an answer); exit 2 with one line on stderr
naming the field for bad input, and nothing on stdout.

Through the real entry point (`python -m mdma_at`, a subprocess): the shared example read from
its file, the human rendering on stdout, and malformed JSON on stdin. Every other case feeds an
intake on stdin in-process (`support.cli.mdma_at_in_process`: the same root command and
exit-code guard, ADR 0066): what each checks is the screening's answer or refusal, not the
process, and a subprocess each cost 1–2 s of interpreter start-up.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from support.cli import mdma_at_in_process

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "intake.json"

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
    "conditions": [{"code": "hypertension", "controlled": True}],
    "substance_use": [
        {
            "substance": "alcohol",
            "severity": "mild",
            "in_remission": False,
            "last_use": "2026-10-20",
        }
    ],
    "suicide_risk": "low",
    "medications": [{"name": "sertraline", "last_dose": "2026-10-15"}],
}


def mdma_at(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point, as the shell runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mdma_at", *args],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
    )


def screen_json(document: object) -> subprocess.CompletedProcess[str]:
    return mdma_at_in_process("screen", "-", "--json", stdin=json.dumps(document))


def test_the_shared_example_is_eligible_with_paroxetine_cleared_on_13_september() -> None:
    done = mdma_at("screen", str(EXAMPLE), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert list(out) == ["decision", "earliest_baseline", "criteria", "washout", "warnings"]
    assert out["decision"] == "eligible"
    assert out["earliest_baseline"] is None
    assert out["washout"] == [
        {
            "medication": "paroxetine",
            "last_dose": "2026-09-01",
            "half_life_hours": 21,
            "clear_on": "2026-09-13",
        }
    ]
    for criterion in out["criteria"]:
        assert list(criterion) == ["id", "status", "reason", "source"]
    statuses = {c["id"]: c["status"] for c in out["criteria"]}
    assert statuses["washout_paroxetine"] == "met"
    assert statuses["washout_amlodipine"] == "met"


def test_a_running_washout_answers_eligible_after_washout_with_the_baseline_date() -> None:
    done = screen_json(BASE)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["decision"] == "eligible_after_washout"
    assert out["earliest_baseline"] == "2026-11-13"
    assert out["washout"][0]["clear_on"] == "2026-11-13"
    assert out["warnings"][0]["interaction"] == "serotonin_toxicity"


def test_an_ineligible_verdict_is_an_answer_and_exits_0() -> None:
    document = copy.deepcopy(BASE)
    document["age"] = 17
    done = screen_json(document)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["decision"] == "ineligible"
    age = next(c for c in out["criteria"] if c["id"] == "age")
    assert age == {
        "id": "age",
        "status": "not_met",
        "reason": "age 17 years is below the minimum 18",
        "source": "MAPP1/MAPP2 inclusion: 18 years or older [S14][S37]",
    }


def test_an_unknown_medication_and_condition_answer_needs_review_naming_them() -> None:
    document = copy.deepcopy(BASE)
    document["medications"] = [{"name": "Kratom", "last_dose": "2026-10-01"}]
    document["conditions"] = [{"code": "sarcoidosis"}]
    done = screen_json(document)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["decision"] == "needs_review"
    reasons = {c["id"]: c["reason"] for c in out["criteria"] if c["status"] == "needs_review"}
    assert "'Kratom'" in reasons["washout_kratom"]
    assert "'sarcoidosis'" in reasons["unknown_conditions"]


def test_the_human_rendering_lists_the_decision_and_each_criterion() -> None:
    done = mdma_at("screen", "-", stdin=json.dumps(BASE))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("decision: eligible_after_washout\n")
    assert "[PENDING] washout_sertraline:" in done.stdout


def _with(path: str, value: object) -> dict[str, Any]:
    """BASE with the field at a dotted path (``vitals.diastolic``, ``medications[0].name``) set;
    the value `...` deletes it."""
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


# One case per kind of bad input the brief names; tests/unit/eligibility/test_parsing.py holds
# the full matrix in-process (each subprocess here pays the whole CLI start-up).
BAD_INPUT = [
    ("age", -1, "age: -1 is negative"),
    ("age", 121, "age: 121 is implausible (above 120)"),
    ("vitals.diastolic", 130, "vitals.diastolic: 130 must be below the systolic 128"),
    ("vitals.heart_rate", 10, "vitals.heart_rate: 10 is below the plausible minimum 20"),
    ("ecg.qtc_ms", 249, "ecg.qtc_ms: 249 ms is outside the plausible 250–700 ms"),
    ("ecg.qtc_ms", 701, "ecg.qtc_ms: 701 ms is outside the plausible 250–700 ms"),
    ("medications[0].last_dose", "2026-11-03",
     "medications[0].last_dose: last dose 2026-11-03 is after the screening date 2026-11-02"),
    ("screening_date", "02/11/2026",
     "screening_date: '02/11/2026' is not a date in the form YYYY-MM-DD"),
    ("age", "41", "age: must be a whole number, got a string"),
    ("ptsd", ..., "ptsd: is required"),
    ("sex", "unknown", "sex: 'unknown' is not one of male, female, other"),
    ("suicide_risk", "severe", "suicide_risk: 'severe' is not one of none, low, moderate, high"),
    ("substance_use[0].severity", "heavy",
     "substance_use[0].severity: 'heavy' is not one of mild, moderate, severe"),
    ("pregnancy_test", "maybe",
     "pregnancy_test: 'maybe' is not one of negative, positive, not_done"),
    ("medications[0].name", "", "medications[0].name: must not be empty"),
    ("medications[0].name", ..., "medications[0].name: is required"),
    ("weight_kg", 19, "weight_kg: 19 is below the plausible minimum 20"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "message"), BAD_INPUT)
def test_bad_input_exits_2_with_one_line_naming_the_field(
    path: str, value: object, message: str
) -> None:
    done = screen_json(_with(path, value))
    assert done.returncode == 2
    assert done.stderr == f"error: {message}\n"
    assert done.stdout == ""


def test_malformed_json_exits_2_naming_the_intake() -> None:
    done = mdma_at("screen", "-", "--json", stdin='{"age": ')
    assert done.returncode == 2
    assert done.stderr == "error: intake: malformed JSON at line 1 column 9: Expecting value\n"
    assert done.stdout == ""


def test_a_json_document_that_is_not_an_object_exits_2() -> None:
    done = screen_json([BASE])
    assert done.returncode == 2
    assert done.stderr == "error: intake: must be an object, got a list\n"


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    done = mdma_at_in_process("screen", str(tmp_path / "absent.json"), "--json")
    assert done.returncode == 2
    assert done.stderr.startswith("error: intake: cannot read ")
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize(("token", "shown"), [("NaN", "nan"), ("Infinity", "inf")])
def test_a_non_finite_temperature_exits_2_naming_the_field(token: str, shown: str) -> None:
    """Issue 10: a NaN temperature was screened eligible."""
    document = json.dumps(BASE).replace('"temperature_c": 36.7', f'"temperature_c": {token}')
    done = mdma_at_in_process("screen", "-", "--json", stdin=document)
    assert done.returncode == 2
    assert done.stderr == f"error: vitals.temperature_c: {shown} is not a finite number\n"
    assert done.stdout == ""


def test_issue_9_reproduced_cases_through_the_command() -> None:
    """Heart rate 150, THC and 220/130 labelled controlled: no longer eligible."""
    document = _with("vitals.heart_rate", 150)
    done = screen_json(document)
    out = json.loads(done.stdout)
    assert {c["id"]: c["status"] for c in out["criteria"]}["heart_rate"] == "needs_review"
    document = _with("substance_use[0].substance", "THC")
    document["substance_use"][0]["severity"] = "severe"
    out = json.loads(screen_json(document).stdout)
    assert {c["id"]: c["status"] for c in out["criteria"]}["cannabis_use_disorder"] == "not_met"
    document = _with("vitals.systolic", 220)
    document["vitals"]["diastolic"] = 130
    out = json.loads(screen_json(document).stdout)
    assert out["decision"] == "ineligible"
