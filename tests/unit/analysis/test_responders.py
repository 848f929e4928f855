"""Responder analyses: thresholds at, below and above; MAPP2's rates; intervals vs statsmodels."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from mdma_at.analysis.responders import (
    ResponderCriteria,
    classify_responders,
    responder_table,
    responder_table_to_dict,
)
from mdma_at.analysis.table_errors import TableInputError


def _participant(
    subject: str, arm: str, baseline: float, value: float | None, meets: bool | None
) -> dict[str, Any]:
    return {
        "subject": subject,
        "arm": arm,
        "baseline": baseline,
        "value": value,
        "meets_dsm5": meets,
    }


def _mapp2_like() -> pd.DataFrame:
    """53 MDMA / 51 placebo; 52 / 42 assessed; 37 / 20 lost the diagnosis; 24 / 9 remitted."""
    rows = []
    for arm, n, assessed, lost, remitted in (("mdma", 53, 52, 37, 24), ("placebo", 51, 42, 20, 9)):
        for i in range(n):
            if i >= assessed:
                rows.append(_participant(f"{arm}-{i}", arm, 40, None, None))
            elif i < remitted:
                rows.append(_participant(f"{arm}-{i}", arm, 40, 8, False))
            elif i < lost:
                rows.append(_participant(f"{arm}-{i}", arm, 40, 20, False))
            else:
                rows.append(_participant(f"{arm}-{i}", arm, 40, 35, True))
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("baseline", "value", "meaningful"),
    [(40, 31, False), (40, 30, True), (40, 29, True), (40, 45, False)],
    ids=["drop of 9: no", "drop of 10: yes", "drop of 11: yes", "worse: no"],
)
def test_a_drop_of_at_least_ten_points_is_a_clinically_meaningful_change(
    baseline: float, value: float, meaningful: bool
) -> None:
    flags = classify_responders(pd.DataFrame([_participant("s1", "mdma", baseline, value, True)]))
    assert bool(flags.loc[0, "clinically_meaningful"]) is meaningful
    assert flags.loc[0, "change"] == value - baseline


@pytest.mark.parametrize(
    ("value", "meets", "loss", "remission"),
    [
        (10, False, True, True),
        (11, False, True, True),
        (12, False, True, False),
        (11, True, False, False),
        (30, True, False, False),
    ],
    ids=["10 no dx", "11 no dx: at the cut-off", "12 no dx: above", "11 still dx", "30 still dx"],
)
def test_remission_needs_loss_of_diagnosis_and_a_total_of_at_most_eleven(
    value: float, meets: bool, loss: bool, remission: bool
) -> None:
    flags = classify_responders(pd.DataFrame([_participant("s1", "mdma", 40, value, meets)]))
    assert bool(flags.loc[0, "loss_of_diagnosis"]) is loss
    assert bool(flags.loc[0, "remission"]) is remission


def test_the_remission_cut_off_and_the_meaningful_drop_are_configurable() -> None:
    criteria = ResponderCriteria(meaningful_drop=15, remission_max_total=10)
    flags = classify_responders(pd.DataFrame([_participant("s1", "mdma", 40, 11, False)]), criteria)
    assert bool(flags.loc[0, "clinically_meaningful"]) is True
    assert bool(flags.loc[0, "remission"]) is False
    assert criteria.definitions()["remission"] == "loss of diagnosis and endpoint total <= 10"


def test_the_remission_definition_is_marked_a_site_default_and_the_others_are_sourced() -> None:
    sources = ResponderCriteria().sources()
    assert sources["remission"].site_default is True
    assert "[S13]" in sources["clinically_meaningful"].citation
    assert sources["loss_of_diagnosis"].site_default is False


def test_a_participant_without_an_endpoint_has_no_flags() -> None:
    flags = classify_responders(pd.DataFrame([_participant("s1", "mdma", 40, None, None)]))
    assert not flags.loc[0, "assessed"]
    assert pd.isna(flags.loc[0, "remission"])


def test_observed_cases_reproduce_the_mapp2_rates() -> None:
    table = responder_table(_mapp2_like(), "mdma", "placebo").set_index("outcome")
    assert round(100 * table.loc["loss_of_diagnosis", "treatment_rate"], 1) == 71.2
    assert round(100 * table.loc["loss_of_diagnosis", "control_rate"], 1) == 47.6
    assert round(100 * table.loc["remission", "treatment_rate"], 1) == 46.2
    assert round(100 * table.loc["remission", "control_rate"], 1) == 21.4
    assert table.loc["remission", "treatment_n"] == 52
    assert table.loc["remission", "control_n"] == 42


def test_missing_as_non_responder_keeps_every_randomised_participant_in_the_denominator() -> None:
    table = responder_table(_mapp2_like(), "mdma", "placebo", missing="non_responder")
    row = table.set_index("outcome").loc["loss_of_diagnosis"]
    assert (row["treatment_responders"], row["treatment_n"]) == (37, 53)
    assert (row["control_responders"], row["control_n"]) == (20, 51)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_rates_and_differences_match_statsmodels_wilson_and_newcombe() -> None:
    table = responder_table(_mapp2_like(), "mdma", "placebo", level=0.9)
    for row in table.to_dict("records"):
        x1, n1 = row["treatment_responders"], row["treatment_n"]
        x2, n2 = row["control_responders"], row["control_n"]
        assert row["difference"] == pytest.approx(x1 / n1 - x2 / n2)
        wilson = proportion_confint(x1, n1, alpha=0.1, method="wilson")
        assert (row["treatment_lower"], row["treatment_upper"]) == pytest.approx(wilson)
        newcombe = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", alpha=0.1)
        assert (row["newcombe_lower"], row["newcombe_upper"]) == pytest.approx(newcombe)
        assert row["mn_lower"] <= row["difference"] <= row["mn_upper"]


def test_the_miettinen_nurminen_limits_of_the_remission_difference() -> None:
    # 24/52 vs 9/42: limits found by inverting the score test (see test_intervals for the method)
    row = responder_table(_mapp2_like(), "mdma", "placebo").set_index("outcome").loc["remission"]
    assert row["mn_lower"] == pytest.approx(0.05366, abs=1e-4)
    assert row["mn_upper"] == pytest.approx(0.42026, abs=1e-4)
    assert 0 < row["mn_p_value"] < 0.05


def test_the_table_converts_to_plain_json_records() -> None:
    records = responder_table_to_dict(responder_table(_mapp2_like(), "mdma", "placebo"))
    assert [r["outcome"] for r in records] == [
        "clinically_meaningful",
        "loss_of_diagnosis",
        "remission",
    ]
    assert isinstance(records[0]["treatment_n"], int)
    assert isinstance(records[0]["site_default"], bool)


def _bad(**change: Any) -> pd.DataFrame:
    row = _participant("s1", "mdma", 40, 20, False) | change
    return pd.DataFrame([row, _participant("s2", "placebo", 40, 35, True)])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (_bad().drop(columns=["meets_dsm5"]), "responders.meets_dsm5", "missing column"),
        (_bad(arm="ketamine"), "responders.arm", "unknown arm(s) 'ketamine'"),
        (_bad(value=81), "responders.value", "total 81 is outside the score range 0–80"),
        (_bad(baseline=-1), "responders.baseline", "total -1 is outside"),
        (_bad(baseline=None), "responders.baseline", "missing value"),
        (_bad(value="twenty"), "responders.value", "expected numbers, got 'twenty'"),
        (_bad(meets_dsm5="no"), "responders.meets_dsm5", "expected true/false, got 'no'"),
        (_bad(meets_dsm5=None), "responders.meets_dsm5", "only one of 'value' and 'meets_dsm5'"),
        (_bad(subject="s2"), "responders.subject", "subject 's2' appears more than once"),
    ],
)
def test_bad_responder_input_is_refused_naming_the_column(
    data: pd.DataFrame, field: str, message: str
) -> None:
    with pytest.raises(TableInputError) as caught:
        responder_table(data, "mdma", "placebo")
    assert caught.value.field == field
    assert message in caught.value.reason


def test_an_arm_without_participants_is_refused() -> None:
    data = pd.DataFrame([_participant("s1", "mdma", 40, 20, False)])
    with pytest.raises(TableInputError, match="no assessed participants in arm 'placebo'"):
        responder_table(data, "mdma", "placebo")


def test_an_unknown_missing_data_policy_is_refused() -> None:
    with pytest.raises(TableInputError, match="unknown policy 'impute'") as caught:
        responder_table(_mapp2_like(), "mdma", "placebo", missing="impute")
    assert caught.value.field == "missing"


def test_a_remission_cut_off_outside_the_score_range_is_refused() -> None:
    with pytest.raises(TableInputError, match="outside the score range"):
        ResponderCriteria(remission_max_total=90)


def test_treatment_and_control_must_be_different_arms() -> None:
    with pytest.raises(TableInputError, match="must differ"):
        responder_table(_mapp2_like(), "mdma", "mdma")


def test_a_non_dataframe_is_refused() -> None:
    with pytest.raises(TableInputError, match="expected a pandas DataFrame, got list"):
        responder_table([], "mdma", "placebo")  # type: ignore[arg-type]


def test_the_defaults_agree_with_the_clinics_caps5_change_rule() -> None:
    from mdma_at.protocols.mapp_v1.instruments import CHANGE_CAPS5

    defaults = ResponderCriteria()
    assert defaults.meaningful_drop == CHANGE_CAPS5.meaningful_drop
    assert defaults.remission_max_total == CHANGE_CAPS5.remission_max_total
    from_rule = ResponderCriteria.from_change_rule(CHANGE_CAPS5)
    assert from_rule.definitions() == defaults.definitions()
    assert from_rule.remission_source.site_default
