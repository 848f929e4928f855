"""Bang's blinding index: hand-computed values, Bang 2004's CRISP table, don't-know handling."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mdma_at.analysis.blinding import (
    Answer,
    bang_index,
    blinding_table,
    blinding_table_to_dict,
    guess_table,
    weighted_bang_index,
)
from mdma_at.analysis.table_errors import TableInputError


def _answers(arm: str, guesses: dict[str, int], certainty: str | None = None) -> list[dict]:
    rows = []
    for guess, count in guesses.items():
        for _ in range(count):
            row = {"subject": f"{arm}-{len(rows)}", "arm": arm, "guess": guess}
            if certainty is not None:
                row["certainty"] = certainty
            rows.append(row)
    return rows


def _crisp() -> pd.DataFrame:
    """Bang 2004 Table 7 (CRISP): treatment 82 / 25 / 170, placebo 27 / 29 / 83 (T / P / DK)."""
    rows = _answers("active", {"active": 82, "placebo": 25, "dont_know": 170})
    rows += _answers("placebo", {"active": 27, "placebo": 29, "dont_know": 83})
    return pd.DataFrame(rows)


def test_the_index_is_correct_minus_incorrect_over_all_answers_dont_know_included() -> None:
    index = bang_index(correct=6, incorrect=2, dont_know=2)
    assert index.estimate == pytest.approx((6 - 2) / 10)
    # sqrt((0.6·0.4 + 0.2·0.8 + 2·0.6·0.2) / 10) = sqrt(0.064)
    assert index.se == pytest.approx(math.sqrt(0.064))
    assert index.lower == pytest.approx(0.4 - 1.959963984540054 * math.sqrt(0.064))
    assert index.n == 10


def test_crisp_reproduces_bang_2004_table_7() -> None:
    table = blinding_table(_crisp(), "active", "placebo").set_index("arm")
    assert round(table.loc["active", "estimate"], 2) == 0.21
    assert round(table.loc["placebo", "estimate"], 2) == 0.01
    assert table.loc["active", "estimate"] == pytest.approx(57 / 277)
    pc, pi = 82 / 277, 25 / 277
    expected_se = math.sqrt((pc * (1 - pc) + pi * (1 - pi) + 2 * pc * pi) / 277)
    assert table.loc["active", "se"] == pytest.approx(expected_se)
    assert table.loc["active", "reading"] == "unblinding"
    assert table.loc["placebo", "reading"] == "random_guessing"
    assert table.loc["active", "dont_know_share"] == pytest.approx(170 / 277)


def test_mapp_like_guessing_of_90_and_75_percent_correct_reads_as_unblinding() -> None:
    rows = _answers("mdma", {"mdma": 45, "placebo": 5}) + _answers(
        "placebo", {"placebo": 30, "mdma": 10}
    )
    table = blinding_table(pd.DataFrame(rows), "mdma", "placebo").set_index("arm")
    assert table.loc["mdma", "estimate"] == pytest.approx(0.8)
    assert table.loc["placebo", "estimate"] == pytest.approx(0.5)
    assert set(table["reading"]) == {"unblinding"}


@pytest.mark.parametrize(
    ("correct", "incorrect", "reading"),
    [(50, 50, "random_guessing"), (80, 20, "unblinding"), (20, 80, "opposite_guessing")],
)
def test_the_interval_grades_the_arm(correct: int, incorrect: int, reading: str) -> None:
    assert bang_index(correct, incorrect, 0).reading == reading


def test_the_extremes_are_one_and_minus_one() -> None:
    assert bang_index(10, 0, 0).estimate == 1
    assert bang_index(0, 10, 0).estimate == -1
    assert bang_index(0, 10, 0).se == 0


def test_dont_know_answers_pull_the_index_toward_zero() -> None:
    assert bang_index(8, 2, 0).estimate == pytest.approx(0.6)
    assert bang_index(8, 2, 10).estimate == pytest.approx(0.3)


def test_an_arm_where_everyone_answers_dont_know_has_no_index() -> None:
    index = bang_index(0, 0, 12)
    assert math.isnan(index.estimate)
    assert index.reading == "no_guesses"
    assert index.as_dict()["estimate"] is None


def test_one_sided_intervals_fix_the_other_limit() -> None:
    greater = bang_index(60, 40, 0, alternative="greater")
    assert greater.upper == 1.0
    assert greater.lower == pytest.approx(0.2 - 1.6448536269514722 * greater.se)
    less = bang_index(60, 40, 0, alternative="less")
    assert less.lower == -1.0


def test_the_two_by_five_table_weighs_somewhat_sure_guesses_by_half() -> None:
    counts = {
        Answer.STRONG_CORRECT: 4,
        Answer.SOMEWHAT_CORRECT: 2,
        Answer.DONT_KNOW: 2,
        Answer.SOMEWHAT_INCORRECT: 2,
        Answer.STRONG_INCORRECT: 0,
    }
    index = weighted_bang_index(counts)
    # (4·1 + 2·0.5 - 2·0.5) / 10 = 0.4; second moment (4 + 0.5 + 0.5)/10 = 0.5
    assert index.estimate == pytest.approx(0.4)
    assert index.se == pytest.approx(math.sqrt((0.5 - 0.16) / 10))


def test_a_certainty_column_switches_to_the_two_by_five_table() -> None:
    rows = _answers("mdma", {"mdma": 4}, "strong") + _answers("mdma", {"placebo": 2}, "somewhat")
    rows += _answers("mdma", {"dont_know": 2}, None)
    rows += _answers("placebo", {"placebo": 3}, "somewhat")
    for i, row in enumerate(rows):
        row["subject"] = f"s{i}"
    data = pd.DataFrame(rows)
    table = blinding_table(data, "mdma", "placebo").set_index("arm")
    assert table.loc["mdma", "estimate"] == pytest.approx((4 - 2 * 0.5) / 8)
    assert table.loc["placebo", "estimate"] == pytest.approx(0.5)
    counts = guess_table(data, "mdma", "placebo")
    assert counts.loc["mdma", "strong_mdma"] == 4
    assert counts.loc["mdma", "somewhat_placebo"] == 2
    assert counts.loc["mdma", "n"] == 8


def test_the_guess_table_is_the_two_by_three_cross_tabulation() -> None:
    counts = guess_table(_crisp(), "active", "placebo")
    assert counts.loc["active"].tolist() == [82, 25, 170, 277]
    assert counts.loc["placebo"].tolist() == [27, 29, 83, 139]


def test_the_table_converts_to_json_records() -> None:
    records = blinding_table_to_dict(blinding_table(_crisp(), "active", "placebo"))
    assert records[0]["arm"] == "active"
    assert records[0]["correct"] == 82


def _bad(**change: object) -> pd.DataFrame:
    return pd.DataFrame([{"subject": "s1", "arm": "mdma", "guess": "mdma"} | change])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (_bad().drop(columns=["guess"]), "guesses.guess", "missing column(s) 'guess'"),
        (_bad(arm="lsd"), "guesses.arm", "unknown arm(s) 'lsd'"),
        (_bad(guess="active"), "guesses.guess", "unknown guess(es) 'active'"),
        (_bad(guess=None), "guesses.guess", "missing value"),
        (_bad(certainty="very"), "guesses.certainty", "certainty 'very'"),
    ],
)
def test_bad_guess_data_is_refused_naming_the_column(
    data: pd.DataFrame, field: str, message: str
) -> None:
    with pytest.raises(TableInputError) as caught:
        blinding_table(data, "mdma", "placebo")
    assert caught.value.field == field
    assert message in caught.value.reason


def test_a_subject_answering_twice_is_refused() -> None:
    data = pd.concat([_bad(), _bad()])
    with pytest.raises(TableInputError, match="'s1' answered more than once"):
        blinding_table(data, "mdma", "placebo")


def test_an_arm_without_answers_is_refused() -> None:
    with pytest.raises(TableInputError, match="no answers from arm 'placebo'"):
        blinding_table(_bad(), "mdma", "placebo")


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ((-1, 3, 0), "counts.correct", "negative count -1"),
        ((1, 3, -2), "counts.dont_know", "negative count -2"),
        ((0, 0, 0), "counts", "no answers"),
        ((1.5, 3, 0), "counts.correct", "whole number"),
    ],
)
def test_bad_counts_are_refused(args: tuple[int, int, int], field: str, message: str) -> None:
    with pytest.raises(TableInputError, match=message) as caught:
        bang_index(*args)
    assert caught.value.field == field


def test_an_unknown_alternative_is_refused() -> None:
    with pytest.raises(TableInputError, match="unknown alternative 'both'"):
        bang_index(3, 1, 0, alternative="both")


def test_a_weight_outside_minus_one_to_one_is_refused() -> None:
    with pytest.raises(TableInputError, match="outside"):
        weighted_bang_index({Answer.CORRECT: 3}, {Answer.CORRECT: 2.0})


def test_houweling_investigators_reproduce_the_published_bi_package_output() -> None:
    # Houweling 2014 Table 2 (investigators), the example of R's BI and of BlindingIndex.jl,
    # whose README prints Treatment 0.115 (SE 0.018; 0.08, 0.15), Placebo 0.022 (SE 0.019;
    # -0.016, 0.06). Guess treatment / placebo / don't know by true arm:
    rows = _answers("active", {"active": 48, "placebo": 4, "dont_know": 330})
    rows += _answers("placebo", {"active": 22, "placebo": 30, "dont_know": 319})
    table = blinding_table(pd.DataFrame(rows), "active", "placebo").set_index("arm")
    assert round(table.loc["active", "estimate"], 3) == 0.115
    assert round(table.loc["active", "se"], 3) == 0.018
    assert round(table.loc["active", "lower"], 2) == 0.08
    assert round(table.loc["active", "upper"], 2) == 0.15
    assert round(table.loc["placebo", "estimate"], 3) == 0.022
    assert round(table.loc["placebo", "se"], 3) == 0.019
    assert round(table.loc["placebo", "lower"], 3) == -0.016
    assert round(table.loc["placebo", "upper"], 2) == 0.06
