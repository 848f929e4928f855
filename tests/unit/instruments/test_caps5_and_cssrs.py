"""The CAPS-5 severity helper refuses bad ratings; the C-SSRS screener never reads blanks as no."""

from __future__ import annotations

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments import caps5_item_severity, score
from mdma_at.protocols import get_protocol

CSSRS = get_protocol("mapp_v1").instruments.get("cssrs-screen")


@pytest.mark.parametrize(
    ("frequency", "intensity", "field", "reason"),
    [
        (5, 0, "items[4].frequency", "5 is outside 0–4"),
        (0, -1, "items[4].intensity", "-1 is outside 0–4"),
        (True, 0, "items[4].frequency", "True is not a number (allowed 0–4)"),
    ],
)
def test_caps5_ratings_outside_0_to_4_are_refused_naming_the_item(
    frequency: int, intensity: int, field: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        caps5_item_severity(frequency, intensity, item=4)
    assert (error.value.field, error.value.reason) == (field, reason)


def test_items_3_to_5_may_be_blank_after_a_no_to_item_2() -> None:
    result = score(CSSRS, [1, 0, None, None, None, 0, None])
    assert (result.severity, result.missing_items) == ("low", ())


def test_a_blank_item_2_leaves_the_risk_undetermined() -> None:
    result = score(CSSRS, [1, None, None, None, None, 0, None])
    assert result.severity is None
    assert result.missing_items == (2, 3, 4, 5)
    assert [a.code for a in result.alerts] == ["cssrs_incomplete"]
    assert result.alerts[0].level == "critical"  # items 4–5 could still be yes


def test_a_yes_to_item_4_is_high_risk_even_with_other_blanks() -> None:
    result = score(CSSRS, [None, 1, None, 1, None, None, None])
    assert result.severity == "high"
    assert [a.code for a in result.alerts] == ["cssrs_high_risk"]


def test_a_blank_item_1_with_no_to_everything_else_is_at_least_none_at_most_low() -> None:
    result = score(CSSRS, [None, 0, None, None, None, 0, None])
    assert result.severity is None
    assert [(a.code, a.level) for a in result.alerts] == [("cssrs_incomplete", "caution")]
