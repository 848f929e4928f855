"""Definitions refuse shapes that cannot be scored, and the library finds instruments by code."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments.definitions import Band, ItemDefinition, with_cutoff
from mdma_at.protocols import get_protocol

LIB = get_protocol("mapp_v1").instruments


def test_bands_with_a_gap_are_refused() -> None:
    with pytest.raises(ValueError, match="must start after the previous one"):
        replace(LIB.get("gad7"), bands=(Band("minimal", 0, 4), Band("mild", 6, 21)))


def test_items_out_of_order_are_refused() -> None:
    items = (ItemDefinition(2, "2", None, 0, 1), ItemDefinition(1, "1", None, 0, 1))
    with pytest.raises(ValueError, match=r"numbered 1\.\.n"):
        replace(LIB.get("gad7"), items=items, bands=())


def test_a_cutoff_cannot_be_set_on_an_instrument_without_one() -> None:
    with pytest.raises(InvalidInput, match="cutoff: CAPS-5 has no cut-off"):
        with_cutoff(LIB.get("caps5"), 33)


def test_an_unknown_instrument_names_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as error:
        LIB.get("bdi2")
    assert error.value.field == "instrument"
    assert "pcl5, phq9, gad7, cssrs-screen, caps5" in error.value.reason


def test_change_rules_exist_for_caps5_and_pcl5_only() -> None:
    assert LIB.change_rule("caps5").meaningful_drop == 10
    assert LIB.change_rule("pcl5").remission_max_total == 11
    with pytest.raises(InvalidInput, match="no change categories are defined for 'phq9'"):
        LIB.change_rule("phq9")
