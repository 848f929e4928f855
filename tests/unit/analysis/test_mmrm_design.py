"""Level order, reference levels and pattern blocks of the MMRM design."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdma_at.analysis.mmrm import UnknownLevel
from mdma_at.analysis.mmrm.design import level_order, natural_key, prepare
from mdma_at.analysis.mmrm.formula import parse_formula


def test_natural_sort_puts_week_10_after_week_9() -> None:
    assert sorted(["Week 10", "Week 9", "Week 2"], key=natural_key) == [
        "Week 2",
        "Week 9",
        "Week 10",
    ]


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, unique=True))
def test_natural_sort_of_numbered_visits_follows_the_numbers(numbers: list[int]) -> None:
    labels = [f"VIS{n}" for n in numbers]
    assert sorted(labels, key=natural_key) == [f"VIS{n}" for n in sorted(numbers)]


def test_explicit_levels_win_over_categorical_order_and_reference_moves_first() -> None:
    series = pd.Series(pd.Categorical(["b", "a", "c"], categories=["c", "b", "a"]))
    assert level_order(series, "X") == ["c", "b", "a"]
    assert level_order(series, "X", levels=["a", "b", "c"]) == ["a", "b", "c"]
    assert level_order(series, "X", reference="a") == ["a", "c", "b"]


def test_levels_that_omit_a_present_value_are_refused() -> None:
    with pytest.raises(UnknownLevel, match="omits 'c'"):
        level_order(pd.Series(["a", "b", "c"]), "X", levels=["a", "b"])


def test_subjects_are_grouped_by_observed_visit_pattern_in_visit_major_blocks() -> None:
    data = pd.DataFrame(
        {
            "S": ["p1", "p1", "p1", "p2", "p2", "p2", "p3", "p3", "p3", "p4", "p4", "p4"],
            "V": ["v1", "v2", "v3"] * 4,
            "Y": [1.0, 2.0, 3.0, 1.5, np.nan, 2.5, 0.5, 1.0, 1.7, np.nan, np.nan, np.nan],
        }
    )
    prepared = prepare(data, parse_formula("Y ~ us(V | S)"))
    patterns = {tuple(b.visits): b.y.shape for b in prepared.blocks}
    assert patterns == {(0, 1, 2): (3, 2), (0, 2): (2, 1)}
    assert prepared.n_subjects == 3  # p4 has no response
    full = next(b for b in prepared.blocks if len(b.visits) == 3)
    assert np.allclose(full.y[:, 0], [1.0, 2.0, 3.0])  # column = one subject, rows = visits
