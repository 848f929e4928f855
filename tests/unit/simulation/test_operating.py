"""Operating characteristics, quickly (issue 19, item 4): the shape of the answer and that a seed
gives the same answer. The 500-replicate type-I error check is `make test-slow`."""

from __future__ import annotations

import numpy as np

from mdma_at.simulation.calibration import load
from mdma_at.simulation.operating import operating_characteristics, simulated_table


def test_a_replicate_table_has_every_participant_at_baseline_and_each_visit() -> None:
    table = simulated_table(np.random.default_rng(3), 12, 1.0, load())
    assert len(table) == 12 * 5  # baseline + assess1-3 + primary, one row each
    assert set(table["arm"]) == {"mdma", "placebo"}
    assert (table.groupby("arm")["subject"].nunique() == 6).all()  # 1:1 in blocks of 2 and 4
    baseline = table[table["visit"] == "baseline"]["value"]
    assert baseline.notna().all() and (baseline >= 28).all()  # MAPP2 entry: CAPS-5 >= 28 [S3]


def test_replicates_answer_with_a_rate_and_its_interval_and_a_seed_repeats_it() -> None:
    first = operating_characteristics(8, 40, seed=7, effect=1.0).as_dict()
    again = operating_characteristics(8, 40, seed=7, effect=1.0).as_dict()
    assert first == again
    assert first["measure"] == "power" and first["replicates"] == 8
    assert first["rejections"] == round(first["rate"] * 8)
    assert first["ci_low"] <= first["rate"] <= first["ci_high"]
    null = operating_characteristics(8, 40, seed=7, effect=0.0).as_dict()
    assert null["measure"] == "type_i_error"
    assert null["rejections"] <= first["rejections"]
