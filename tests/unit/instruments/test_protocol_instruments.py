"""The mapp_v1 instrument data: items, ranges, licensing and codes as documented."""

from __future__ import annotations

import pytest

from mdma_at.protocols import get_protocol

LIB = get_protocol("mapp_v1").instruments


@pytest.mark.parametrize(
    ("code", "count", "maximum", "max_total"),
    [
        ("pcl5", 20, 4, 80),
        ("phq9", 9, 3, 27),
        ("gad7", 7, 3, 21),
        ("cssrs-screen", 7, 1, 7),
        ("caps5", 20, 4, 80),
    ],
)
def test_each_instrument_has_its_items_and_range(
    code: str, count: int, maximum: int, max_total: int
) -> None:
    definition = LIB.get(code)
    assert definition.item_count == count
    assert {item.maximum for item in definition.items} == {maximum}
    assert {item.minimum for item in definition.items} == {0}
    assert definition.max_total == max_total


@pytest.mark.parametrize("code", ["pcl5", "phq9", "gad7"])
def test_free_instruments_ship_their_item_text_and_answer_labels(code: str) -> None:
    definition = LIB.get(code)
    assert all(item.text for item in definition.items)
    assert definition.stem
    assert len(definition.options) == definition.items[0].maximum + 1


@pytest.mark.parametrize("code", ["cssrs-screen", "caps5"])
def test_licensed_instruments_ship_no_item_text(code: str) -> None:
    definition = LIB.get(code)
    assert all(item.text is None for item in definition.items)
    assert definition.stem is None and definition.options == ()


def test_pcl5_items_11_to_20_match_the_national_center_for_ptsd_form() -> None:
    texts = [item.text for item in LIB.get("pcl5").items]
    assert texts[13] == (
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
        "have loving feelings for people close to you)?"
    )
    assert texts[16] == "Being “superalert” or watchful or on guard?"
    assert texts[17] == "Feeling jumpy or easily startled?"


def test_the_cssrs_screener_ends_with_item_6b() -> None:
    assert [i.label for i in LIB.get("cssrs-screen").items] == ["1", "2", "3", "4", "5", "6", "6b"]


@pytest.mark.parametrize(
    ("code", "panel", "total", "items"),
    [
        (
            "phq9",
            "44249-1",
            "44261-6",
            [
                "44250-9",
                "44255-8",
                "44259-0",
                "44254-1",
                "44251-7",
                "44258-2",
                "44252-5",
                "44253-3",
                "44260-8",
            ],
        ),
        (
            "gad7",
            "69737-5",
            "70274-6",
            ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"],
        ),
        ("pcl5", "101697-1", "101698-9", [None] * 20),
        (
            "cssrs-screen",
            "93373-9",
            None,
            ["93246-7", "93247-5", "93248-3", "93249-1", "93250-9", "93267-3", "93269-9"],
        ),
        ("caps5", None, None, [None] * 20),
    ],
)
def test_loinc_codes_are_the_verified_ones_and_null_where_unverified(
    code: str, panel: str | None, total: str | None, items: list[str | None]
) -> None:
    definition = LIB.get(code)
    assert (definition.panel_loinc, definition.total_loinc) == (panel, total)
    assert [item.loinc for item in definition.items] == items


def test_every_missing_item_rule_and_cutoff_has_a_source() -> None:
    for definition in LIB.definitions:
        assert definition.missing.source.citation
        assert definition.missing.description
        if definition.cutoff is not None:
            assert definition.cutoff.source.citation
