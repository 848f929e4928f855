"""Washout arithmetic and interaction warnings, pure and in-process."""

from __future__ import annotations

from datetime import date

import pytest

from mdma_at.domain.sources import Source
from mdma_at.domain.washout import (
    Interaction,
    MedicationEntry,
    WashoutKind,
    interaction_warnings,
    plan_washout,
    washout_days,
)
from mdma_at.protocols.mapp_v1.medications import MEDICATIONS, WASHOUT_RULE


def test_a_medication_without_a_washout_has_no_washout_days() -> None:
    with pytest.raises(ValueError, match="no washout days"):
        washout_days(10, WashoutKind.NONE, WASHOUT_RULE)


def test_planning_a_medication_without_a_washout_is_refused() -> None:
    entry = MEDICATIONS.find("amlodipine")
    assert entry is not None
    with pytest.raises(ValueError, match="needs no washout"):
        plan_washout("amlodipine", entry, date(2026, 1, 1), WASHOUT_RULE)


@pytest.mark.parametrize(
    ("hours", "days"),
    [(1, 8), (4.8, 8), (24, 12), (21, 12), (33.6, 14), (384, 87), (504, 112), (0.1, 8)],
)
def test_days_are_five_half_lives_plus_seven_rounded_up(hours: float, days: int) -> None:
    assert washout_days(hours, WashoutKind.HALF_LIVES, WASHOUT_RULE) == days


def test_a_plan_is_complete_on_its_clear_date_and_after() -> None:
    entry = MEDICATIONS.find("paroxetine")
    assert entry is not None
    plan = plan_washout("Paxil", entry, date(2026, 9, 1), WASHOUT_RULE)
    assert plan.clear_on == date(2026, 9, 13)
    assert not plan.is_complete(date(2026, 9, 12))
    assert plan.is_complete(date(2026, 9, 13))
    assert plan.to_dict() == {
        "medication": "paroxetine",
        "last_dose": "2026-09-01",
        "half_life_hours": 21,
        "clear_on": "2026-09-13",
    }
    assert plan.name == "Paxil"


def test_warnings_name_the_drug_the_interaction_and_the_clear_date() -> None:
    entry = MEDICATIONS.find("fluoxetine")
    assert entry is not None
    warnings = interaction_warnings(entry, date(2026, 12, 27))
    assert [w.interaction for w in warnings] == [
        Interaction.RAISED_MDMA_EXPOSURE,
        Interaction.SEROTONIN_TOXICITY,
    ]
    assert all("washout clear on 2026-12-27" in w.message for w in warnings)
    assert warnings[1].to_dict()["medication"] == "fluoxetine"


def test_a_drug_without_interactions_gives_no_warning() -> None:
    entry = MedicationEntry(
        "x", (), "t", WashoutKind.HALF_LIVES, 5.0, "x", Source("s"), frozenset()
    )
    assert interaction_warnings(entry, date(2026, 1, 1)) == ()
