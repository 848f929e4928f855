"""Responder analyses: thresholds at, below and above; MAPP2's rates; intervals vs statsmodels.

Every expected count below is a hand count of the participants `_mapp2_like` builds (see its
docstring); every published rate is the MAPP2 figure [S9] in reference/clinical-facts.md §5.2.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
)
from statsmodels.stats.proportion import (
    test_proportions_2indep as statsmodels_score_test,
)

from mdma_at.analysis.intervals import miettinen_nurminen_difference
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
    """A trial built to MAPP2's published counts [S9], every participant with baseline 40.

    MDMA: 53 randomised, 52 assessed (1 without an endpoint): 24 remitted (endpoint 8, no
    diagnosis: a drop of 32), 13 more lost the diagnosis (endpoint 20: a drop of 20), 8 more
    responded but still meet DSM-5 (endpoint 28: a drop of 12), 7 did not respond (endpoint 35,
    still PTSD: a drop of 5). At least a response: 24 + 13 + 8 = 45/52 = 86.5%; at least a loss of
    diagnosis: 24 + 13 = 37/52 = 71.2%; remission 24/52 = 46.2% (the published MAPP2 rates [S9]).

    Placebo: 51 randomised, 42 assessed: 9 remitted, 11 more lost the diagnosis (20/42 = 47.6% and
    9/42 = 21.4%, published [S9]), 7 more responded only (no published placebo response rate:
    7 is the fixture's own choice, 27/42 in all), 15 did not respond.
    """
    rows = []
    for arm, n, assessed, remitted, lost, responded in (
        ("mdma", 53, 52, 24, 37, 45),
        ("placebo", 51, 42, 9, 20, 27),
    ):
        for i in range(n):
            if i >= assessed:
                rows.append(_participant(f"{arm}-{i}", arm, 40, None, None))
            elif i < remitted:
                rows.append(_participant(f"{arm}-{i}", arm, 40, 8, False))
            elif i < lost:
                rows.append(_participant(f"{arm}-{i}", arm, 40, 20, False))
            elif i < responded:
                rows.append(_participant(f"{arm}-{i}", arm, 40, 28, True))
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
    ("baseline", "value", "meets", "highest"),
    [
        # baseline 40: every endpoint below is a drop of 28 or more, a response.
        (40, 10, False, "remission"),
        (40, 11, False, "remission"),  # at the cut-off
        (40, 12, False, "loss_of_diagnosis"),  # just above
        (40, 11, True, "clinically_meaningful"),  # still meets DSM-5
        (40, 30, True, "clinically_meaningful"),  # a drop of exactly 10
        (40, 31, True, "none"),  # a drop of 9
        # Issue 9 regression: below the diagnostic rule without a 10-point drop counted as a loss
        # of diagnosis (and here as remission), inflating the tables.
        (18, 11, False, "none"),  # a drop of 7
        (21, 12, False, "none"),  # a drop of 9
        (22, 12, False, "loss_of_diagnosis"),  # a drop of 10, total 12 > 11
        (21, 11, False, "remission"),  # a drop of 10, total 11
    ],
)
def test_the_grades_escalate_and_a_participant_has_one_highest_grade(
    baseline: float, value: float, meets: bool, highest: str
) -> None:
    flags = classify_responders(pd.DataFrame([_participant("s1", "mdma", baseline, value, meets)]))
    row = flags.loc[0]
    assert row["highest"] == highest
    order = ["none", "clinically_meaningful", "loss_of_diagnosis", "remission"]
    reached = order.index(highest)
    # The flags are "at least this grade": nested.
    assert bool(row["clinically_meaningful"]) is (reached >= 1)
    assert bool(row["loss_of_diagnosis"]) is (reached >= 2)
    assert bool(row["remission"]) is (reached >= 3)


def test_the_remission_cut_off_and_the_meaningful_drop_are_configurable() -> None:
    criteria = ResponderCriteria(meaningful_drop=15, remission_max_total=10)
    # 40 -> 11: a drop of 29 >= 15, no diagnosis, 11 > 10: loss of diagnosis, no remission.
    flags = classify_responders(pd.DataFrame([_participant("s1", "mdma", 40, 11, False)]), criteria)
    assert bool(flags.loc[0, "clinically_meaningful"]) is True
    assert bool(flags.loc[0, "remission"]) is False
    # 40 -> 26: a drop of 14 < 15: no response, so no loss of diagnosis either.
    flags = classify_responders(pd.DataFrame([_participant("s1", "mdma", 40, 26, False)]), criteria)
    assert flags.loc[0, "highest"] == "none"
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
    assert pd.isna(flags.loc[0, "highest"])


def test_observed_cases_reproduce_the_mapp2_rates() -> None:
    table = responder_table(_mapp2_like(), "mdma", "placebo").set_index("outcome")
    assert round(100 * table.loc["clinically_meaningful", "treatment_rate"], 1) == 86.5
    assert round(100 * table.loc["loss_of_diagnosis", "treatment_rate"], 1) == 71.2
    assert round(100 * table.loc["loss_of_diagnosis", "control_rate"], 1) == 47.6
    assert round(100 * table.loc["remission", "treatment_rate"], 1) == 46.2
    assert round(100 * table.loc["remission", "control_rate"], 1) == 21.4
    assert table.loc["remission", "treatment_n"] == 52
    assert table.loc["remission", "control_n"] == 42


def test_the_highest_grades_are_mutually_exclusive_and_add_up() -> None:
    table = responder_table(_mapp2_like(), "mdma", "placebo").set_index("outcome")
    # Hand counts from `_mapp2_like`: MDMA 8 response only, 13 loss only, 24 remission (7 none);
    # placebo 7, 11, 9 (15 none).
    assert list(table["treatment_highest"]) == [8, 13, 24]
    assert list(table["control_highest"]) == [7, 11, 9]
    assert sum(table["treatment_highest"]) + 7 == table.loc["remission", "treatment_n"]


def test_missing_as_non_responder_keeps_every_randomised_participant_in_the_denominator() -> None:
    table = responder_table(_mapp2_like(), "mdma", "placebo", missing="non_responder")
    row = table.set_index("outcome").loc["loss_of_diagnosis"]
    # Hand counts: 37 lost the diagnosis of 53 randomised; 20 of 51.
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


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_the_remission_difference_is_tested_on_the_hand_counted_table() -> None:
    row = responder_table(_mapp2_like(), "mdma", "placebo").set_index("outcome").loc["remission"]
    # The table hands the interval the hand-counted 24/52 vs 9/42; the interval itself is checked
    # against Newcombe (1998)'s published values in test_intervals.
    expected = miettinen_nurminen_difference(24, 52, 9, 42)
    assert (row["mn_lower"], row["mn_upper"]) == (expected.lower, expected.upper)
    assert row["difference"] == pytest.approx(24 / 52 - 9 / 42)
    # The p-value against statsmodels' score test of no difference (an independent program).
    reference = statsmodels_score_test(24, 52, 9, 42, value=0, method="score", correction=True)
    assert row["mn_p_value"] == pytest.approx(reference.pvalue, rel=1e-9)


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
