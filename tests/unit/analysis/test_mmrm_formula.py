"""Reading MMRM formulas: fixed effects for formulaic, the covariance term for the engine."""

from __future__ import annotations

import pytest

from mdma_at.analysis.mmrm import FormulaSyntaxError, UnknownCovarianceStructure, parse_formula
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
