"""Balance of the randomisation methods (issue 16, Done-when: "the balance simulation shows
within-stratum imbalance never above half the largest block")."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.randomisation import (
    Method,
    block_allocation,
    block_sequence,
    level_counts,
    minimisation_allocation,
    simulate,
)
from mdma_at.domain.randomisation.minimisation import imbalance_scores

ARMS = ("mdma", "placebo")
SIZE_SETS = st.lists(st.sampled_from([2, 4, 6, 8]), min_size=1, max_size=3, unique=True)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), sizes=SIZE_SETS, n=st.integers(1, 120))
def test_within_a_stratum_the_arms_never_differ_by_more_than_half_the_largest_block(
    seed: int, sizes: list[int], n: int
) -> None:
    # Every permuted block is balanced when complete, so inside one the difference is at most
    # half its length (Matts & Lachin, Control Clin Trials 1988;9:327-344, §2).
    counts: Counter[str] = Counter()
    for arm, _ in zip(
        block_sequence(str(seed), "site-A|severe", ARMS, sizes), range(n), strict=False
    ):
        counts[arm] += 1
        assert abs(counts["mdma"] - counts["placebo"]) <= max(sizes) // 2


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    sizes=SIZE_SETS,
    participants=st.integers(1, 80),
    strata=st.integers(1, 6),
)
def test_the_simulation_never_reports_more_than_half_the_largest_block(
    seed: int, sizes: list[int], participants: int, strata: int
) -> None:
    strata = min(strata, participants)
    result = simulate(participants, strata, sizes, 5, seed, Method.BLOCKS)
    assert result.max_stratum_imbalance <= max(sizes) // 2
    assert result.trials == 5


def test_block_sizes_are_mixed_and_each_block_is_balanced() -> None:
    sequence = block_sequence("seed", "s", ARMS, [2, 4])
    first = [next(sequence) for _ in range(400)]
    # the sequence returns to balance only at block ends; with sizes 2 and 4 mixed, some gaps
    # between balance points are 2 and some 4
    balanced_at = [i + 1 for i in range(400) if first[: i + 1].count("mdma") * 2 == i + 1]
    gaps = {b - a for a, b in zip([0, *balanced_at], balanced_at, strict=False)}
    assert {2, 4} <= gaps


def test_the_schedule_is_a_function_of_the_seed_and_the_stratum() -> None:
    one = [block_allocation("s3cret", "A", i, ARMS, [2, 4]) for i in range(20)]
    again = [block_allocation("s3cret", "A", i, ARMS, [2, 4]) for i in range(20)]
    other_seed = [block_allocation("other", "A", i, ARMS, [2, 4]) for i in range(20)]
    assert one == again
    assert one != other_seed


@pytest.mark.parametrize("sizes", [[3], [0], [], [2, 5]])
def test_block_sizes_that_cannot_hold_both_arms_equally_are_refused(sizes: list[int]) -> None:
    with pytest.raises(InvalidInput) as refused:
        list(zip(block_sequence("s", "x", ARMS, sizes), range(1), strict=False))
    assert refused.value.field == "block_sizes"


def test_pocock_simon_range_scores_match_a_hand_count() -> None:
    # Hand count (Pocock & Simon 1975, range measure): earlier participants at site A: 2 mdma,
    # 1 placebo; at band severe: 0 mdma, 1 placebo. New participant at site A, severe:
    # mdma -> ranges |3-1| + |1-1| = 2; placebo -> |2-2| + |0-2| = 2.
    allocated = [
        ({"site": "A", "band": "moderate"}, "mdma"),
        ({"site": "A", "band": "moderate"}, "mdma"),
        ({"site": "A", "band": "severe"}, "placebo"),
        ({"site": "B", "band": "moderate"}, "placebo"),
    ]
    counts = level_counts(ARMS, {"site": "A", "band": "severe"}, allocated)
    assert imbalance_scores(ARMS, counts) == {"mdma": 2, "placebo": 2}


def test_minimisation_gives_the_balancing_arm_about_p_best_of_the_time() -> None:
    counts = {"site": {"mdma": 3, "placebo": 1}}  # placebo minimises the imbalance
    rng = random.Random(1)
    picks = Counter(minimisation_allocation(rng, ARMS, counts, 0.8) for _ in range(4000))
    # binomial(4000, 0.8): mean 3200, sd 25.3; 6 sd either side
    assert 3048 <= picks["placebo"] <= 3352


def test_deterministic_minimisation_with_p_best_1_always_balances() -> None:
    counts = {"site": {"mdma": 0, "placebo": 2}}
    assert minimisation_allocation(random.Random(0), ARMS, counts, 1.0) == "mdma"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"participants": 0}, "participants"),
        ({"strata": 0}, "strata"),
        ({"strata": 11}, "strata"),
        ({"trials": 0}, "trials"),
        ({"block_sizes": [3]}, "block_sizes"),
    ],
)
def test_simulation_input_out_of_range_names_the_field(
    kwargs: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {
        "participants": 10, "strata": 2, "block_sizes": [2, 4], "trials": 2, "seed": 1,
        **kwargs,
    }  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        simulate(**args)  # type: ignore[arg-type]
    assert refused.value.field == field
