"""`mdma-at trial simulate-randomisation` as a subprocess: the JSON contract and bad input."""

from __future__ import annotations

import json
import os

from support.cli import mdma_at

ARGS = ("--participants", "120", "--strata", "4", "--trials", "30", "--seed", "11", "--json")


def test_simulate_prints_the_three_fields_and_blocks_stay_within_half_the_largest_block() -> None:
    done = mdma_at(
        "trial", "simulate-randomisation", "--block-sizes", "2,4", *ARGS, env=dict(os.environ)
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"max_stratum_imbalance", "mean_abs_total_imbalance", "trials"}
    assert payload["trials"] == 30
    # issue 16, Done-when: never above half the largest block (4 / 2)
    assert payload["max_stratum_imbalance"] <= 2


def test_minimisation_is_a_method_too() -> None:
    done = mdma_at(
        "trial", "simulate-randomisation", "--block-sizes", "2", "--method", "minimisation",
        *ARGS, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["trials"] == 30


def test_a_block_size_that_cannot_hold_both_arms_is_exit_2_naming_the_field() -> None:
    done = mdma_at(
        "trial", "simulate-randomisation", "--block-sizes", "2,3", *ARGS, env=dict(os.environ)
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: block_sizes: 3 is not")
    assert len(done.stderr.strip().splitlines()) == 1
