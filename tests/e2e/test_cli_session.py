"""`mdma-at session replay`: the contract of issues 5 and 9, DESIGN.md §5.

Through the real entry point (`python -m mdma_at`, a subprocess): the shared example read from
its file with the JSON on stdout, the readable summary, and malformed JSON on stdin (exit 2, one
line). Every other case feeds a document on stdin in-process (`support.cli.mdma_at_in_process`:
the same root command and exit-code guard, ADR 0066): what each checks is the replay's answer
or refusal, not the process, and a subprocess each cost 1–2 s of interpreter start-up.
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

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "session-timeline.json"


def mdma_at(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point, as the shell runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mdma_at", *args],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
    )


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def replay(document: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return mdma_at_in_process("session", "replay", "-", "--json", stdin=json.dumps(document))


def test_the_shared_example_answers_under_the_issue_9_rules() -> None:
    done = mdma_at("session", "replay", str(EXAMPLE), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert list(out) == ["alerts", "decisions", "vitals_due"]
    assert [(d["action"], d["allowed"]) for d in out["decisions"]] == [
        ("initial", True),
        ("supplemental", False),
        ("supplemental", True),
        # Issue 9 item 4: the example records no SUDS and no C-SSRS screener at discharge.
        ("discharge", False),
    ]
    assert [set(d) for d in out["decisions"]] == [{"t", "action", "allowed", "reasons"}] * 4
    assert out["decisions"][1]["reasons"][1] == {
        "code": "alert_active",
        "message": "vital-sign alert active (systolic high caution since 2026-09-30T10:10:00Z)",
        "source": out["decisions"][1]["reasons"][1]["source"],
        "lifted_by": None,
    }
    assert out["alerts"] == [
        {
            "t": "2026-09-30T10:10:00Z",
            "parameter": "systolic",
            "level": "caution",
            "direction": "high",
            "value": 163,
            "limit": 160,
        }
    ]
    assert out["vitals_due"][3] == {
        "after": "2026-09-30T10:10:00Z",
        "due": "2026-09-30T10:20:00Z",
        "reason": "caution_alert",
        "page_physician": False,
    }


def test_without_json_the_answer_is_a_readable_summary() -> None:
    done = mdma_at("session", "replay", str(EXAMPLE))
    assert done.returncode == 0
    assert "supplemental REFUSED" in done.stdout
    assert "discharge    REFUSED" in done.stdout
    assert "    - cssrs_missing: no C-SSRS screener" in done.stdout


def test_a_refused_request_is_an_answer_not_bad_input() -> None:
    document = example()
    document["events"][1]["mg"] = 200
    done = replay(document)
    assert done.returncode == 0
    decision = json.loads(done.stdout)["decisions"][0]
    assert decision["allowed"] is False
    assert decision["reasons"][0]["code"] == "initial_dose_amount"
    assert decision["reasons"][0]["message"].startswith("200 mg requested")


def test_times_in_the_future_are_accepted() -> None:
    document = example()
    for event in document["events"]:
        event["t"] = event["t"].replace("2026", "2091")
    assert replay(document).returncode == 0


def _with_event(index: int, **change: Any) -> dict[str, Any]:
    document = example()
    document["events"][index].update(change)
    return document


def _vitals(**change: Any) -> dict[str, Any]:
    return _with_event(0, **change)


BAD_INPUT = [
    (_vitals(systolic=400), "events[0].systolic: 400 is outside 50–300 mmHg"),
    (_vitals(systolic=301), "events[0].systolic: 301 is outside 50–300 mmHg"),
    (_vitals(systolic=49), "events[0].systolic: 49 is outside 50–300 mmHg"),
    (_vitals(diastolic=19), "events[0].diastolic: 19 is below 20 mmHg"),
    (
        _vitals(diastolic=118),
        "events[0].diastolic: 118 mmHg must be below the systolic 118 mmHg",
    ),
    (_vitals(heart_rate=19), "events[0].heart_rate: 19 is outside 20–250 beats/min"),
    (_vitals(heart_rate=251), "events[0].heart_rate: 251 is outside 20–250 beats/min"),
    (_vitals(temperature_c=29.9), "events[0].temperature_c: 29.9 is outside 30–45 °C"),
    (_vitals(temperature_c=45.1), "events[0].temperature_c: 45.1 is outside 30–45 °C"),
    (_vitals(systolic="high"), "events[0].systolic: 'high' is not a number of mmHg"),
    (_with_event(1, mg=0), "events[1].mg: 0 mg must be greater than 0 mg"),
    (_with_event(1, mg=-40), "events[1].mg: -40 mg must be greater than 0 mg"),
    (_with_event(1, mg="eighty"), "events[1].mg: 'eighty' is not a number of mg"),
    (_with_event(6, mg=None), "events[6].mg: None is not a number of mg"),
    (
        _with_event(2, t="2026-09-30T08:35:00Z"),
        "events[2].t: 2026-09-30T08:35:00Z is before the previous event at "
        "2026-09-30T08:40:00Z: events must be in time order",
    ),
    (_with_event(4, type="note"), "events[4].type: 'note' is not an event type"),
    (
        _with_event(0, t="30/09/2026 08:30"),
        "events[0].t: '30/09/2026 08:30' is not an ISO-8601 time",
    ),
    (
        _with_event(0, t="2026-09-30T08:30:00"),
        "events[0].t: '2026-09-30T08:30:00' has no UTC offset",
    ),
    (_with_event(0, t="2026-02-30T08:30:00Z"), "events[0].t: '2026-02-30T08:30:00Z' is not an ISO"),
    # Issue 9 'Bad input'.
    (_vitals(spo2=49), "events[0].spo2: 49 is outside 50–100 %"),
    (_vitals(spo2=101), "events[0].spo2: 101 is outside 50–100 %"),
    (
        _with_event(4, type="suds", value=101),
        "events[4].value: 101 is outside the SUDS scale 0–100",
    ),
    (
        _with_event(4, type="cssrs", risk="extreme"),
        "events[4].risk: 'extreme' is not a C-SSRS risk (none, low, moderate, high)",
    ),
    (
        {
            **example(),
            "pre_dose": {
                **example()["pre_dose"],
                "medications_changed": [{"last_dose": "2026-09-01"}],
            },
        },
        "pre_dose.medications_changed[0].name: is required (the medication's name)",
    ),
]


@pytest.mark.parametrize(("document", "message"), BAD_INPUT)
def test_bad_input_exits_2_with_one_line_naming_the_field_and_the_rule(
    document: dict[str, Any], message: str
) -> None:
    done = replay(document)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"error: {message}")


def test_an_unknown_protocol_is_bad_input() -> None:
    document = {**example(), "protocol": "mapp_v9"}
    done = replay(document)
    assert (done.returncode, done.stderr) == (2, "error: protocol: unknown protocol 'mapp_v9'\n")


@pytest.mark.parametrize("number", [0, 4, -1])
def test_a_session_number_outside_the_protocol_is_bad_input(number: int) -> None:
    done = replay({**example(), "session_number": number})
    assert done.returncode == 2
    assert done.stderr == (
        f"error: session_number: {number} is outside the protocol's sessions 1–3\n"
    )


def test_a_replay_has_no_clock_so_a_future_last_dose_is_accepted() -> None:
    document = example()
    document["pre_dose"]["medications_changed"] = [
        {"name": "amlodipine", "last_dose": "2099-01-01"}
    ]
    assert replay(document).returncode == 0


def test_an_entry_after_an_allowed_discharge_is_bad_input() -> None:
    document = example()
    late = copy.deepcopy(document["events"][-2])
    late["t"] = "2026-09-30T17:00:00Z"
    # What discharge needs (issue 9): SUDS and a C-SSRS screener at discharge; the example has
    # no pre-dose SUDS, so a physician overrides the distress comparison.
    document["events"][-1:-1] = [
        {"t": "2026-09-30T16:46:00Z", "type": "suds", "value": 10},
        {"t": "2026-09-30T16:47:00Z", "type": "cssrs", "risk": "none"},
        {
            "t": "2026-09-30T16:48:00Z",
            "type": "override",
            "action": "discharge",
            "by_role": "physician",
            "reason": "calm, oriented, escort present",
        },
    ]
    document["events"].append(late)
    done = replay(document)
    assert done.returncode == 2
    assert done.stderr.startswith(
        "error: events[15]: the session was closed by discharge at 2026-09-30T16:50:00Z"
    )


def test_malformed_json_is_bad_input() -> None:
    done = mdma_at("session", "replay", "-", "--json", stdin="{not json")
    assert done.returncode == 2
    assert done.stderr.startswith("error: timeline: malformed JSON at line 1")


def test_a_missing_file_is_bad_input(tmp_path: Path) -> None:
    done = mdma_at_in_process("session", "replay", str(tmp_path / "absent.json"), "--json")
    assert done.returncode == 2
    assert done.stderr.startswith("error: timeline: cannot read")
