"""`mdma-at score`: the JSON contract, the human output, exit codes (one test as a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support.cli import mdma_at_in_process

CONTRACT = [
    "instrument",
    "total",
    "severity",
    "diagnosis",
    "provisional",
    "above_cutoff",
    "prorated",
    "missing_items",
    "clusters",
    "alerts",
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # in-process: these tests are about scoring and its messages, and a subprocess each costs
    # seconds; the real entry point is tested by test_score_as_a_subprocess_keeps_the_contract
    return mdma_at_in_process("score", *args)


def test_score_as_a_subprocess_keeps_the_contract() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mdma_at", "score", "phq9", "--items", "1,2,3,0,1,2,1,0,1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "PHQ-9: total 11, moderate"
    refused = subprocess.run(
        [sys.executable, "-m", "mdma_at", "score", "gad7", "--items", "0,0,0,0,0,0", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == "error: items: GAD-7 has 7 items, got 6 answers\n"


def scored(*args: str) -> dict[str, object]:
    done = run(*args, "--json")
    assert done.returncode == 0, done.stderr
    payload: dict[str, object] = json.loads(done.stdout)
    assert list(payload) == CONTRACT
    return payload


def test_phq9_with_item_9_positive_prints_the_contract_with_a_suicide_risk_alert() -> None:
    payload = scored("phq9", "--items", "1,2,3,0,1,2,1,0,1")
    assert {k: payload[k] for k in CONTRACT[:9]} == {
        "instrument": "phq9",
        "total": 11,  # 1+2+3+0+1+2+1+0+1, every item answered
        "severity": "moderate",
        "diagnosis": None,
        "provisional": False,
        "above_cutoff": True,
        "prorated": False,
        "missing_items": [],
        "clusters": {},
    }
    alerts = payload["alerts"]
    assert isinstance(alerts, list)
    assert [(a["code"], a["level"]) for a in alerts] == [("phq9_item9_positive", "critical")]
    assert alerts[0]["reason"]


def test_gad7_prints_its_band_and_no_alert() -> None:
    payload = scored("gad7", "--items", "3,3,3,3,3,0,0")
    assert (payload["total"], payload["severity"], payload["above_cutoff"], payload["alerts"]) == (
        15,
        "severe",
        True,
        [],
    )


def test_pcl5_prints_clusters_and_the_provisional_diagnosis() -> None:
    payload = scored("pcl5", "--items", "2,0,0,0,0,2,0,2,2,0,0,0,0,0,2,2,0,0,0,0")
    assert (payload["total"], payload["diagnosis"], payload["above_cutoff"]) == (12, True, False)
    # A self-report screen: the diagnosis is kept, and marked provisional (issue 9, item 13).
    assert payload["provisional"] is True
    clusters = payload["clusters"]
    assert isinstance(clusters, dict)
    assert list(clusters) == ["B", "C", "D", "E"]
    assert clusters["D"]["present"] == 2 and clusters["D"]["met"] is True


def test_caps5_without_criteria_f_and_g_has_an_undetermined_diagnosis() -> None:
    payload = scored("caps5", "--items", ",".join(["2"] * 20))
    assert (payload["total"], payload["severity"], payload["diagnosis"]) == (40, "severe", None)


def test_caps5_with_criteria_f_and_g_meets_the_diagnosis() -> None:
    payload = scored(
        "caps5", "--items", ",".join(["2"] * 20), "--criterion-f", "yes", "--criterion-g", "yes"
    )
    assert payload["diagnosis"] is True


def test_caps5_with_criterion_g_no_does_not_meet_the_diagnosis() -> None:
    payload = scored(
        "caps5", "--items", ",".join(["2"] * 20), "--criterion-f", "yes", "--criterion-g", "no"
    )
    assert payload["diagnosis"] is False


@pytest.mark.parametrize(
    ("items", "risk", "codes"),
    [
        ("no,no,,,,no,", "none", []),
        ("yes,no,,,,no,", "low", []),
        ("1,1,1,0,0,0,", "moderate", ["cssrs_moderate_risk"]),
        ("yes,yes,no,yes,no,no,", "high", ["cssrs_high_risk"]),
        ("no,no,,,,yes,yes", "high", ["cssrs_high_risk"]),
    ],
)
def test_cssrs_screen_takes_yes_no_answers(items: str, risk: str, codes: list[str]) -> None:
    payload = scored("cssrs-screen", "--items", items)
    alerts = payload["alerts"]
    assert isinstance(alerts, list)
    assert (payload["severity"], [a["code"] for a in alerts]) == (risk, codes)
    assert (payload["total"], payload["above_cutoff"], payload["diagnosis"]) == (None, None, None)


def test_missing_answers_as_empty_slots_or_na_are_prorated_within_the_rule() -> None:
    payload = scored("phq9", "--items", "1,NA,3,0,1,2,1,,0")
    # 8 points over 7 answered items: 8 x 9 / 7 = 10.3 -> 10; items 2 and 8 as printed.
    assert (payload["total"], payload["severity"]) == (10, "moderate")
    assert (payload["prorated"], payload["missing_items"]) == (True, [2, 8])


def test_too_many_missing_answers_give_no_total() -> None:
    payload = scored("gad7", "--items", "3,,3,NA,3,3,3")
    assert (payload["total"], payload["severity"], payload["above_cutoff"]) == (None, None, None)
    assert (payload["prorated"], payload["missing_items"]) == (False, [2, 4])


def test_the_human_output_says_prorated_and_provisional() -> None:
    done = run("phq9", "--items", "1,NA,3,0,1,2,1,,0")
    assert "total 10 (prorated: item(s) 2, 8 missing)" in done.stdout
    done = run("pcl5", "--items", "2,0,0,0,0,2,0,2,2,0,0,0,0,0,2,2,0,0,0,0")
    assert "provisional diagnosis: met" in done.stdout


def test_the_human_output_names_the_instrument_total_band_alert_and_reasons() -> None:
    done = run("phq9", "--items", "1,2,3,0,1,2,1,0,1")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "PHQ-9: total 11, moderate"
    assert any(line.startswith("  ALERT critical: Suicide risk") for line in lines)
    assert "Why:" in lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("pcl5", "--items", "0,0,5" + ",0" * 17), "error: items[3]: 5 is outside 0–4"),
        (("phq9", "--items", "0,0,0,0,0,0,0,0,4"), "error: items[9]: 4 is outside 0–3"),
        (("gad7", "--items", "0,0,0,0,0,0"), "error: items: GAD-7 has 7 items, got 6 answers"),
        (
            ("phq9", "--items", "0,0,0,0,0,0,0,0,0,0"),
            "error: items: PHQ-9 has 9 items, got 10 answers",
        ),
        (
            ("gad7", "--items", "0,x,0,0,0,0,0"),
            "error: items[2]: 'x' is not a number (allowed 0–3, or empty/NA for a missing answer)",
        ),
        (
            ("cssrs-screen", "--items", "yes,maybe,,,,no,"),
            "error: items[2]: 'maybe' is not yes/no or 1/0",
        ),
        (
            ("bdi2", "--items", "0"),
            "error: instrument: unknown instrument 'bdi2' "
            "(known: pcl5, phq9, gad7, cssrs-screen, caps5)",
        ),
        (("phq9",), "error: items: required: the answers in form order, e.g. --items 0,1,2"),
        (
            ("caps5", "--items", ",".join(["2"] * 20), "--criterion-f", "perhaps"),
            "error: criterion_f: 'perhaps' is not yes or no",
        ),
        (
            ("pcl5", "--items", ",".join(["2"] * 20), "--criterion-g", "yes"),
            "error: criterion_g: applies only to the CAPS-5, not to PCL-5",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(
    args: tuple[str, ...], message: str
) -> None:
    done = run(*args, "--json")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [message]
    assert done.stdout == ""
