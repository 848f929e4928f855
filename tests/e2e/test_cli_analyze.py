"""`mdma-at analyze mmrm`: the JSON contract, the human output, exit codes (one as a subprocess)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from support.cli import mdma_at_in_process

CONTRACT = [
    "coefficients",
    "covariance",
    "loglik",
    "aic",
    "bic",
    "lsmeans",
    "converged",
    "n_subjects",
    "n_observations",
]
FORMULA = "CHG ~ BASE + ARM*VISIT + us(VISIT | SUBJ)"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # in-process: a subprocess each would load pandas, scipy and formulaic again (seconds); the
    # real entry point is tested by test_analyze_as_a_subprocess_keeps_the_contract
    return mdma_at_in_process("analyze", "mmrm", *args)


def write_trial(path: Path, *, rows: list[dict[str, object]] | None = None) -> Path:
    """A small two-arm trial, 3 visits; some responses NA, some empty cells."""
    rng = np.random.default_rng(7)
    if rows is None:
        rows = []
        for s in range(40):
            arm = "MDMA" if s % 2 else "PBO"
            base = round(float(rng.normal(45, 6)), 2)
            for v, visit in enumerate(["W06", "W12", "W18"]):
                change = -4.0 * (v + 1) - (6.0 if arm == "MDMA" else 0.0) + rng.normal(0, 5)
                value: object = round(float(change), 3)
                if s % 7 == 0 and v == 2:
                    value = "NA"
                if s % 11 == 0 and v == 1:
                    value = ""
                rows.append(
                    {
                        "SUBJ": f"P{s:02d}",
                        "VISIT": visit,
                        "ARM": arm,
                        "BASE": base,
                        "CHG": value,
                        "W": 1.0,
                    }
                )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def trial(tmp_path: Path) -> Path:
    return write_trial(tmp_path / "trial.csv")


def test_analyze_as_a_subprocess_keeps_the_contract(trial: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mdma_at", "analyze", "mmrm", str(trial), "--formula", FORMULA],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("MMRM: 40 subjects")


def test_fit_prints_the_json_contract_with_na_and_empty_cells_as_missing(trial: Path) -> None:
    done = run(str(trial), "--formula", FORMULA, "--reference", "ARM=PBO", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert list(payload) == CONTRACT
    assert payload["n_subjects"] == 40
    assert payload["n_observations"] == 120 - 6 - 4  # 6 NA, 4 empty
    assert payload["converged"] is True
    terms = [row["term"] for row in payload["coefficients"]]
    assert terms == [
        "Intercept",
        "BASE",
        "ARM[T.MDMA]",
        "VISIT[T.W12]",
        "VISIT[T.W18]",
        "ARM[T.MDMA]:VISIT[T.W12]",
        "ARM[T.MDMA]:VISIT[T.W18]",
    ]
    assert set(payload["coefficients"][0]) == {
        "term",
        "estimate",
        "se",
        "df",
        "t",
        "p",
        "lower",
        "upper",
    }
    assert payload["covariance"]["structure"] == "us"
    assert payload["covariance"]["visits"] == ["W06", "W12", "W18"]
    assert np.allclose(
        payload["covariance"]["matrix"], np.transpose(payload["covariance"]["matrix"])
    )
    assert [(r["arm"], r["visit"]) for r in payload["lsmeans"]] == [
        ("PBO", "W06"),
        ("MDMA", "W06"),
        ("PBO", "W12"),
        ("MDMA", "W12"),
        ("PBO", "W18"),
        ("MDMA", "W18"),
    ]
    assert set(payload["lsmeans"][0]) == {"arm", "visit", "estimate", "se", "df", "lower", "upper"}
    assert payload["aic"] == pytest.approx(-2 * payload["loglik"] + 2 * 6)


def test_ml_and_weights_are_accepted(trial: Path) -> None:
    # ML with Kenward-Roger is refused as mmrm refuses it (see the bad-options test).
    done = run(
        str(trial),
        "--formula",
        FORMULA.replace("us(", "ar1("),
        "--method",
        "ml",
        "--df",
        "residual",
        "--weights",
        "W",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["covariance"]["structure"] == "ar1"
    assert payload["aic"] == pytest.approx(-2 * payload["loglik"] + 2 * (2 + 7))


def test_without_json_the_fit_is_printed_in_words(trial: Path) -> None:
    done = run(str(trial), "--formula", FORMULA.replace("VISIT | SUBJ", "VISIT | ARM / SUBJ"))
    assert done.returncode == 0, done.stderr
    assert "40 subjects" in done.stdout
    assert "Covariance (us, ARM = MDMA)" in done.stdout
    assert "Covariance (us, ARM = PBO)" in done.stdout
    assert "LS means" in done.stdout
    assert "MDMA W18:" in done.stdout


def test_levels_set_the_order_and_reference_of_a_factor(trial: Path) -> None:
    done = run(str(trial), "--formula", FORMULA, "--levels", "VISIT=W18,W12,W06", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["covariance"]["visits"] == ["W18", "W12", "W06"]
    assert "VISIT[T.W06]" in [row["term"] for row in payload["coefficients"]]


@pytest.mark.parametrize(
    ("formula", "extra", "message"),
    [
        (
            "CHG ~ AGE + ARM*VISIT + us(VISIT | SUBJ)",
            [],
            "error: formula: column 'AGE' is not in the data",
        ),
        (
            "CHG ~ ARM*VISIT + unstructured(VISIT | SUBJ)",
            [],
            "error: formula: unknown covariance structure 'unstructured'",
        ),
        (
            "CHG ~ ARM + us(VISIT | SUBJ)",
            ["--weights", "W"],
            "error: W: weight 0.0 in an analysed row is not a finite number > 0",
        ),
        (FORMULA, ["--reference", "ARM"], "error: reference: 'ARM' is not COLUMN=LEVEL"),
        (FORMULA, ["--method", "bayes"], "error: method: unknown method 'bayes'"),
        (
            FORMULA,
            ["--method", "ml", "--df", "kenward-roger"],
            "error: df: Kenward-Roger needs REML",
        ),
        (FORMULA, ["--vcov", "hc0"], "error: vcov: unknown covariance of beta 'hc0'"),
    ],
)
def test_bad_options_exit_2_with_one_line_naming_the_field(
    tmp_path: Path, formula: str, extra: list[str], message: str
) -> None:
    rows = [
        {"SUBJ": f"P{s}", "VISIT": v, "ARM": "AB"[s % 2], "CHG": float(s + i), "W": float(s > 0)}
        for s in range(12)
        for i, v in enumerate(["V1", "V2"])
    ]
    path = write_trial(tmp_path / "t.csv", rows=rows)
    done = run(str(path), "--formula", formula, *extra, "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(message), done.stderr


def _rows(**change: object) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "SUBJ": f"P{s}",
            "VISIT": v,
            "ARM": "AB"[s % 2],
            "BASE": float(s % 4),
            "CHG": float((s * 7 + i * 3) % 5),
        }
        for s in range(12)
        for i, v in enumerate(["V1", "V2"])
    ]
    rows[3].update(change)
    return rows


def _timed(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """A study day per row (V1 day 0, V2 day 14 plus the subject's offset) unless already set."""
    return [
        r if "DAY" in r else r | {"DAY": 0 if r["VISIT"] == "V1" else 14 + i % 3}
        for i, r in enumerate(rows)
    ]


@pytest.mark.parametrize(
    ("rows", "formula", "message"),
    [
        (
            [
                {"SUBJ": f"P{s}", "VISIT": "V1", "ARM": "AB"[s % 2], "CHG": float(s)}
                for s in range(9)
            ],
            "CHG ~ ARM + us(VISIT | SUBJ)",
            "error: VISIT: the visit factor 'VISIT' has 1 level(s) with a response",
        ),
        (
            _rows(VISIT="V1"),
            "CHG ~ ARM + us(VISIT | SUBJ)",
            "error: VISIT: subject 'P1' has more than one row for visit 'V1'",
        ),
        (
            _rows(CHG="seven"),
            "CHG ~ ARM + us(VISIT | SUBJ)",
            "error: CHG[3]: response value 'seven' is not a number",
        ),
        (
            [r | {"ARM2": r["ARM"]} for r in _rows()],
            "CHG ~ ARM + ARM2 + us(VISIT | SUBJ)",
            "error: formula: the fixed-effects design has rank 2 < 3 columns; aliased: ARM2[T.B]",
        ),
        # issue 11, defects 4 to 6: never a traceback, never a silent factor or linear visit
        (
            _rows(CHG="inf"),
            "CHG ~ ARM + us(VISIT | SUBJ)",
            "error: CHG[3]: response value inf is not a finite number",
        ),
        (
            _rows(BASE="-inf"),
            "CHG ~ BASE + ARM + us(VISIT | SUBJ)",
            "error: BASE[3]: covariate value -inf is not a finite number",
        ),
        (
            _rows(BASE="."),
            "CHG ~ BASE + ARM + us(VISIT | SUBJ)",
            "error: BASE[3]: column mixes numbers and text: '.' among numbers",
        ),
        (
            _rows(BASE="n/a"),
            "CHG ~ BASE + ARM + us(VISIT | SUBJ)",
            "error: BASE[3]: column mixes numbers and text: 'n/a' among numbers",
        ),
        (
            [r | {"VISIT": int(str(r["VISIT"])[1:])} for r in _rows()],
            "CHG ~ ARM + us(VISIT | SUBJ)",
            "error: VISIT[0]: the visit column holds numbers (1); an MMRM needs it as a factor",
        ),
        # issue 11, item 2: a numeric time is sp_exp's coordinate, still refused for the others
        (
            _timed(_rows()),
            "CHG ~ ARM + ar1(DAY | SUBJ)",
            "error: DAY[0]: the visit column holds numbers (0); an MMRM needs it as a factor",
        ),
        (
            _timed(_rows(DAY="two weeks")),
            "CHG ~ ARM + sp_exp(DAY | SUBJ)",
            "error: DAY[3]: sp_exp needs the time of each visit as a number",
        ),
        (
            _timed(_rows(DAY=0)),  # row 3 is P1's V2, moved onto the day of P1's V1
            "CHG ~ ARM + sp_exp(DAY | SUBJ)",
            "error: DAY[3]: subject 'P1' has more than one row at time 0",
        ),
        (
            _timed(_rows(DAY="inf")),
            "CHG ~ ARM + sp_exp(DAY | SUBJ)",
            "error: DAY[3]: visit time value inf is not a finite number",
        ),
    ],
)
def test_bad_data_exits_2_with_the_specific_reason(
    tmp_path: Path, rows: list[dict[str, object]], formula: str, message: str
) -> None:
    done = run(str(write_trial(tmp_path / "t.csv", rows=rows)), "--formula", formula, "--json")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(message), done.stderr


def test_a_missing_data_file_is_bad_input(tmp_path: Path) -> None:
    done = run(str(tmp_path / "nope.csv"), "--formula", FORMULA, "--json")
    assert done.returncode == 2
    assert done.stderr.startswith("error: DATA: cannot read")


def test_code_in_a_formula_is_refused_and_never_runs(trial: Path, tmp_path: Path) -> None:
    # issue 10, item 4: this formula used to write pwned.txt through formulaic's Python eval.
    formula = "CHG ~ BASE + np.savetxt('pwned.txt', BASE) + us(VISIT | SUBJ)"
    # a real process in its own directory: the attack wrote its file into the working directory
    done = subprocess.run(
        [sys.executable, "-m", "mdma_at", "analyze", "mmrm", str(trial), "--formula", formula],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(
        "error: formula: 'np.savetxt' at position 13 is not an allowed transform"
    ), done.stderr
    assert done.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trial.csv"]


def test_an_empirical_covariance_gives_between_within_df(trial: Path) -> None:
    done = run(str(trial), "--formula", FORMULA, "--vcov", "jackknife", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    n, p = payload["n_observations"], len(payload["coefficients"])
    s = payload["n_subjects"]
    # SAS ddfm=betwithin: subject-level columns (intercept, BASE, ARM) get S - 3
    by_term = {row["term"]: row["df"] for row in payload["coefficients"]}
    assert by_term["BASE"] == s - 3
    assert by_term["VISIT[T.W12]"] == n - p - (s - 3)


def test_kenward_roger_with_reml_and_weights_is_accepted(trial: Path) -> None:
    done = run(
        str(trial), "--formula", FORMULA, "--df", "kenward-roger", "--weights", "W", "--json"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["converged"] is True


def test_sp_exp_on_unequally_spaced_days_prints_the_contract(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    rows = [
        {
            "SUBJ": f"P{s:02d}",
            "ARM": "AB"[s % 2],
            "VISIT": visit,
            "DAY": day + (s % 3 if day else 0),
            "CHG": round(float(rng.normal(-2.0 * v - (s % 2), 3.0)), 3),
        }
        for s in range(30)
        for v, (visit, day) in enumerate([("W0", 0), ("W2", 14), ("W6", 42)])
    ]
    path = write_trial(tmp_path / "days.csv", rows=rows)
    formula = "CHG ~ ARM * VISIT + sp_exp(DAY | SUBJ)"
    done = run(str(path), "--formula", formula, "--visit", "VISIT", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert list(payload) == CONTRACT
    cov = payload["covariance"]
    assert cov["structure"] == "sp_exp"
    assert cov["visits"] == ["0", "14", "15", "16", "42", "43", "44"]  # the distinct days
    times = np.array([float(v) for v in cov["visits"]])
    matrix = np.array(cov["matrix"])
    # the printed matrix is sigma^2 rho^|t_i - t_j| (mmrm's form), with rho from two cells
    rho = (matrix[0, 1] / matrix[0, 0]) ** (1 / 14)
    expected = matrix[0, 0] * rho ** np.abs(times[:, None] - times[None, :])
    np.testing.assert_allclose(matrix, expected, rtol=1e-10)
    assert [(r["arm"], r["visit"]) for r in payload["lsmeans"]][:2] == [("A", "W0"), ("B", "W0")]
    words = run(str(path), "--formula", formula)
    assert words.returncode == 0, words.stderr
    assert "A all visits:" in words.stdout  # one LS mean per arm without --visit
