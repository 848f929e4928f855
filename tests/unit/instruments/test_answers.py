"""Item-level validation: every bad answer is refused naming the item, the value and the range."""

from __future__ import annotations

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments import parse_answers, score, validate_answers
from mdma_at.protocols import get_protocol

LIB = get_protocol("mapp_v1").instruments


def test_an_answer_above_the_range_names_the_item_the_value_and_the_range() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_answers(LIB.get("pcl5"), [0, 0, 5] + [0] * 17)
    assert (error.value.field, error.value.reason) == ("items[3]", "5 is outside 0–4")


def test_a_negative_answer_is_outside_the_range() -> None:
    with pytest.raises(InvalidInput, match=r"items\[1\]: -1 is outside 0–3"):
        validate_answers(LIB.get("phq9"), [-1] + [0] * 8)


def test_the_wrong_number_of_answers_names_both_counts() -> None:
    with pytest.raises(InvalidInput) as error:
        score(LIB.get("gad7"), [0] * 6)
    assert (error.value.field, error.value.reason) == ("items", "GAD-7 has 7 items, got 6 answers")


def test_a_non_numeric_typed_answer_is_refused_naming_the_item() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_answers(LIB.get("phq9"), ["0", "1", "two", "0", "0", "0", "0", "0", "0"])
    assert error.value.field == "items[3]"
    assert error.value.reason.startswith("'two' is not a number (allowed 0–3")


def test_a_non_integer_value_from_a_service_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"items\[2\]: 1\.5 is not a number"):
        validate_answers(LIB.get("gad7"), [0, 1.5, 0, 0, 0, 0, 0])  # type: ignore[list-item]


@pytest.mark.parametrize("blank", ["", " ", "NA", "na", "N/A"])
def test_an_empty_slot_or_na_is_a_missing_answer(blank: str) -> None:
    answers = parse_answers(LIB.get("gad7"), ["1", blank, "2", "0", "0", "0", "3"])
    assert answers == (1, None, 2, 0, 0, 0, 3)


@pytest.mark.parametrize(
    ("text", "value"), [("yes", 1), ("YES", 1), ("y", 1), ("1", 1), ("no", 0), ("N", 0), ("0", 0)]
)
def test_cssrs_answers_are_yes_no_or_one_zero(text: str, value: int) -> None:
    answers = parse_answers(LIB.get("cssrs-screen"), [text, "no", "", "", "", "no", ""])
    assert answers[0] == value


def test_a_cssrs_answer_that_is_not_yes_or_no_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"items\[2\]: 'maybe' is not yes/no or 1/0"):
        parse_answers(LIB.get("cssrs-screen"), ["no", "maybe", "", "", "", "no", ""])


def test_a_cssrs_number_other_than_one_or_zero_is_outside_the_range() -> None:
    with pytest.raises(InvalidInput, match=r"items\[1\]: 2 is outside yes/no or 1/0"):
        validate_answers(LIB.get("cssrs-screen"), [2, 0, 0, 0, 0, 0, 0])


def test_cssrs_accepts_booleans_from_a_form() -> None:
    result = score(LIB.get("cssrs-screen"), [True, False, None, None, None, False, None])
    assert result.severity == "low"


def test_criterion_f_for_an_instrument_other_than_caps5_is_refused() -> None:
    with pytest.raises(InvalidInput, match="criterion_f: applies only to the CAPS-5"):
        score(LIB.get("pcl5"), [0] * 20, criterion_f=True)


def test_a_boolean_is_not_a_rating() -> None:
    with pytest.raises(InvalidInput, match=r"items\[1\]: True is not a number \(allowed 0–3\)"):
        validate_answers(LIB.get("phq9"), [True] + [0] * 8)


@pytest.mark.parametrize("typed", ["١", "１", "+1", "0001", "01", "1_0", "²"])
def test_a_rating_is_typed_in_ascii_digits_without_sign_or_leading_zeros(typed: str) -> None:
    # int() accepts every one of these (Arabic-Indic and full-width digits, a plus sign, leading
    # zeros, underscores); a form never writes them, so the CLI and the API refuse them alike.
    with pytest.raises(InvalidInput) as error:
        parse_answers(LIB.get("phq9"), [typed] + ["0"] * 8)
    assert error.value.field == "items[1]"
