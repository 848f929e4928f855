"""Minimisation (Pocock & Simon 1975) with a random element.

For a new participant, each arm is scored by the imbalance it would leave: for every
stratification factor, the range (largest minus smallest count across arms) of participants
already allocated at the new participant's level of that factor, after adding them to that arm,
summed over factors (Pocock SJ, Simon R. Sequential treatment assignment with balancing for
prognostic factors in the controlled clinical trial. Biometrics 1975;31:103-115, the "range"
measure with equal weights). The arm with the lowest score is given with probability `p_best`
(0.8 here, within the 0.7-0.95 that Pocock & Simon and later reviews use so that the next
allocation cannot be predicted with certainty: Scott NW et al., Control Clin Trials
2002;23:662-674); otherwise one of the other arms at random. Ties are broken at random.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence

from mdma_at.domain.errors import InvalidInput

#: Probability of the arm that minimises imbalance (Pocock & Simon 1975; site default 0.8).
P_BEST = 0.8


def check_probability(p_best: float, field: str = "p_best") -> None:
    if not 0.5 <= p_best <= 1.0:
        raise InvalidInput(field, f"{p_best} is outside 0.5-1 (1 is deterministic minimisation)")


def level_counts(
    arms: Sequence[str],
    levels: Mapping[str, str],
    allocated: Iterable[tuple[Mapping[str, str], str]],
) -> dict[str, dict[str, int]]:
    """For each factor, how many earlier participants at the new participant's level each arm has.

    Args:
        levels: the new participant's level of each factor ({"site": "A", "caps5": "severe"}).
        allocated: earlier participants' levels and arms.
    """
    counts = {factor: dict.fromkeys(arms, 0) for factor in levels}
    for other_levels, arm in allocated:
        for factor, level in levels.items():
            if other_levels.get(factor) == level:
                counts[factor][arm] += 1
    return counts


def imbalance_scores(
    arms: Sequence[str], counts: Mapping[str, Mapping[str, int]]
) -> dict[str, int]:
    """Each arm's imbalance score if chosen: the range of counts per factor, summed."""
    scores: dict[str, int] = {}
    for candidate in arms:
        total = 0
        for per_arm in counts.values():
            after = [per_arm[arm] + (arm == candidate) for arm in arms]
            total += max(after) - min(after)
        scores[candidate] = total
    return scores


def minimisation_allocation(
    rng: random.Random,
    arms: Sequence[str],
    counts: Mapping[str, Mapping[str, int]],
    p_best: float = P_BEST,
) -> str:
    """The arm for a new participant: the least imbalancing arm with probability `p_best`.

    Args:
        counts: from `level_counts`, the arms' counts at the participant's level of each factor.
    """
    check_probability(p_best)
    scores = imbalance_scores(arms, counts)
    lowest = min(scores.values())
    best = [arm for arm in arms if scores[arm] == lowest]
    if len(best) > 1:  # a tie: every tied arm equally likely (Pocock & Simon 1975)
        return rng.choice(best)
    others = [arm for arm in arms if arm != best[0]]
    return best[0] if rng.random() < p_best else rng.choice(others)


def participant_rng(seed: str, position: int) -> random.Random:
    """The random element for the `position`-th participant randomised in the study."""
    return random.Random(f"{seed}|minimisation|{position}")
