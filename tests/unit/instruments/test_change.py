"""Change grades between two ratings: escalating, mutually exclusive (issue 9, item 12);
undetermined parts are left out, never guessed."""

from __future__ import annotations

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments import classify_change, score
from mdma_at.protocols import get_protocol

LIB = get_protocol("mapp_v1").instruments


def test_a_missing_total_gives_no_grade_even_when_the_diagnosis_is_lost() -> None:
    """Without a total there is no response, and no loss of diagnosis without a response."""
    before = score(LIB.get("caps5"), [2] * 19 + [None], criterion_f=True, criterion_g=True)
    after = score(LIB.get("caps5"), [0] * 20, criterion_f=True, criterion_g=True)
    change = classify_change(before, after, LIB.change_rule("caps5"))
    assert change.delta is None
    assert change.categories == ()
    assert "no grade of improvement: a total is missing" in change.reasons


def test_an_undetermined_diagnosis_gives_no_loss_of_diagnosis_and_no_remission() -> None:
    before = score(LIB.get("caps5"), [3] * 20)  # criteria F and G not given
    after = score(LIB.get("caps5"), [0] * 20, criterion_f=True, criterion_g=True)
    change = classify_change(before, after, LIB.change_rule("caps5"))
    assert [str(c) for c in change.categories] == ["clinically_meaningful"]
    assert any("loss of diagnosis undetermined" in r for r in change.reasons)


def test_scores_of_different_instruments_cannot_be_compared() -> None:
    with pytest.raises(InvalidInput, match="cannot compare pcl5 with caps5"):
        classify_change(
            score(LIB.get("pcl5"), [0] * 20),
            score(LIB.get("caps5"), [0] * 20),
            LIB.change_rule("pcl5"),
        )


def test_a_rule_for_another_instrument_is_refused() -> None:
    with pytest.raises(InvalidInput, match="the change rule is for caps5, not pcl5"):
        classify_change(
            score(LIB.get("pcl5"), [0] * 20),
            score(LIB.get("pcl5"), [0] * 20),
            LIB.change_rule("caps5"),
        )


def test_the_assessment_serialises_with_categories_and_reasons() -> None:
    change = classify_change(
        score(LIB.get("pcl5"), [3] * 20), score(LIB.get("pcl5"), [1] * 20), LIB.change_rule("pcl5")
    )
    payload = change.to_dict()
    # 60 -> 20: a response of 40 points, the provisional diagnosis lost, 20 > 11: no remission.
    assert payload["delta"] == -40
    assert payload["categories"] == ["loss_of_diagnosis"]
    assert any(r.startswith("response (clinically meaningful)") for r in payload["reasons"])
    assert "no remission: total 20 > 11" in payload["reasons"]
