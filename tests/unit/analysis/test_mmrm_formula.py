"""Reading MMRM formulas: fixed effects for formulaic, the covariance term for the engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mdma_at.analysis.mmrm import (
    FormulaSyntaxError,
    MissingColumn,
    UnknownCovarianceStructure,
    fit_mmrm,
    parse_formula,
)
from mdma_at.analysis.mmrm.formula import COVARIANCE_STRUCTURES, CovarianceTerm


def test_the_covariance_term_is_split_from_the_fixed_effects() -> None:
    parsed = parse_formula("FEV1 ~ RACE + SEX + ARMCD*AVISIT + us(AVISIT | USUBJID)")
    assert parsed.response == "FEV1"
    assert parsed.fixed_formula == "FEV1 ~ RACE + SEX + ARMCD*AVISIT"
    assert parsed.covariance == CovarianceTerm("us", "AVISIT", "USUBJID", None)


def test_a_covariance_term_in_the_middle_leaves_a_valid_formula() -> None:
    parsed = parse_formula("Y ~ A + ar1( VISIT|ID ) + B")
    assert parsed.fixed_rhs == "A + B"
    assert parsed.covariance.structure == "ar1"


def test_an_intercept_only_model_keeps_the_intercept() -> None:
    assert parse_formula("Y ~ cs(V | S)").fixed_formula == "Y ~ 1"


def test_group_specific_covariance_uses_mmrms_slash_syntax() -> None:
    parsed = parse_formula("Y ~ ARM*V + us(V | ARM / S)")
    assert parsed.covariance == CovarianceTerm("us", "V", "S", "ARM")


@pytest.mark.parametrize("structure", COVARIANCE_STRUCTURES)
def test_every_documented_structure_is_accepted(structure: str) -> None:
    assert parse_formula(f"Y ~ ARM + {structure}(V | S)").covariance.structure == structure


def test_an_unknown_structure_is_named_in_the_error() -> None:
    with pytest.raises(UnknownCovarianceStructure, match="unknown covariance structure 'un'"):
        parse_formula("Y ~ ARM + un(V | S)")


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("Y ARM + us(V | S)", "exactly one '~'"),
        ("Y ~ ARM", "found 0"),
        ("Y ~ us(V | S) + cs(V | S)", "found 2"),
        ("log(Y) ~ us(V | S)", "one column name"),
    ],
)
def test_malformed_formulas_are_rejected_with_the_reason(formula: str, message: str) -> None:
    with pytest.raises(FormulaSyntaxError, match=message):
        parse_formula(formula)


# -- formulas are data, not code (issue 10, item 4) ----------------------------------------------


@pytest.mark.parametrize(
    ("formula", "token"),
    [
        ("CHG ~ BASE + np.savetxt('pwned.txt', BASE) + us(VISIT | SUBJ)", "'np.savetxt'"),
        ("CHG ~ BASE + __import__('os') + us(VISIT | SUBJ)", "'__import__'"),
        ("CHG ~ open('x', 'w') + us(VISIT | SUBJ)", "'open'"),
        ("CHG ~ eval('1') + us(VISIT | SUBJ)", "'eval'"),
        ("CHG ~ BASE.to_csv('x') + us(VISIT | SUBJ)", "'BASE.to_csv'"),
        ("CHG ~ log(BASE.to_csv('x')) + us(VISIT | SUBJ)", "'BASE.to_csv'"),
        ("CHG ~ I(exec('x')) + us(VISIT | SUBJ)", "'exec'"),
        ("CHG ~ BASE + 'text' + us(VISIT | SUBJ)", '"\'"'),
        ('CHG ~ BASE + "text" + us(VISIT | SUBJ)', "'\"'"),
        ("CHG ~ BASE[0] + us(VISIT | SUBJ)", "'['"),
        ("CHG ~ BASE; import os + us(VISIT | SUBJ)", "';'"),
        ("CHG ~ {BASE} + us(VISIT | SUBJ)", "'{'"),
        ("CHG ~ (lambda: 1)() + us(VISIT | SUBJ)", "'lambda'"),
        ("CHG ~ BASE @ BASE + us(VISIT | SUBJ)", "'@'"),
        ("CHG ~ C(BASE, contr.sum) + us(VISIT | SUBJ)", "','"),
        ("CHG ~ poly(BASE, x) + us(VISIT | SUBJ)", "'x'"),
        ("CHG ~ ARM * us(VISIT | SUBJ)", "'us'"),
    ],
)
def test_anything_outside_the_formula_grammar_is_refused_naming_the_token(
    formula: str, token: str
) -> None:
    with pytest.raises(FormulaSyntaxError) as raised:
        parse_formula(formula)
    assert raised.value.field == "formula"
    assert raised.value.reason.startswith(token), raised.value.reason


@pytest.mark.parametrize(
    ("formula", "fixed", "columns"),
    [
        ("Y ~ log(BASE) + ARM + us(V | S)", "Y ~ log(BASE) + ARM", ("BASE", "ARM")),
        ("Y ~ log(BASE + 1)*ARM + us(V | S)", "Y ~ log(BASE + 1)*ARM", ("BASE", "ARM")),
        ("Y ~ I(BASE**2) + us(V | S)", "Y ~ I(BASE ** 2)", ("BASE",)),
        (
            "Y ~ center(BASE) + scale(AGE) + us(V | S)",
            "Y ~ center(BASE) + scale(AGE)",
            ("BASE", "AGE"),
        ),
        ("Y ~ C(SITE) + poly(AGE, 2) + us(V | S)", "Y ~ C(SITE) + poly(AGE, 2)", ("SITE", "AGE")),
        ("Y ~ ARM + V + ARM:V - 1 + us(V | S)", "Y ~ ARM + V + ARM:V - 1", ("ARM", "V")),
        ("Y ~ (ARM + SEX)*V + us(V | S)", "Y ~ (ARM + SEX)*V", ("ARM", "SEX", "V")),
        ("Y ~ FEV1.BL + us(V | S)", "Y ~ `FEV1.BL`", ("FEV1.BL",)),
        ("`my y` ~ `base line` + us(V | S)", "`my y` ~ `base line`", ("base line",)),
    ],
)
def test_the_grammar_admits_columns_operators_and_the_allowed_transforms(
    formula: str, fixed: str, columns: tuple[str, ...]
) -> None:
    parsed = parse_formula(formula)
    assert parsed.fixed_formula == fixed
    assert parsed.fixed_columns == columns


def _small_trial() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    rows = [
        {"SUBJ": f"S{s}", "V": v, "ARM": "AB"[s % 2], "BASE.T": rng.normal(10, 2)}
        for s in range(30)
        for v in ("V1", "V2", "V3")
    ]
    frame = pd.DataFrame(rows)
    frame["BASE"] = frame["BASE.T"]
    frame["Y"] = frame["BASE.T"] * 0.5 + rng.normal(0, 1, len(frame))
    return frame


def test_code_in_a_formula_never_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FormulaSyntaxError, match=r"'np\.savetxt'"):
        fit_mmrm(_small_trial(), "Y ~ BASE + np.savetxt('pwned.txt', BASE) + us(V | SUBJ)")
    assert list(tmp_path.iterdir()) == []


def test_a_dotted_column_is_looked_up_by_name_not_evaluated_as_attribute_access() -> None:
    fit = fit_mmrm(_small_trial(), "Y ~ BASE.T + log(BASE.T) + C(ARM) + us(V | SUBJ)")
    assert list(fit.coefficients.term)[1:3] == ["BASE.T", "log(`BASE.T`)"]
    # BASE.values would be an attribute of the column BASE in Python; here it is a column name.
    with pytest.raises(MissingColumn, match=r"'BASE\.values' is not in the data"):
        fit_mmrm(_small_trial(), "Y ~ BASE.values + us(V | SUBJ)")
