"""Simulated trials: how well each method balances the arms (`trial simulate-randomisation`).

Each trial draws a stratum for every participant at random (K equally likely strata) and
allocates them in arrival order to two arms. Imbalance is the absolute difference between the
arms' counts; within a stratum it is measured after every allocation, so the maximum is the worst
moment of the trial, not only its end.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.randomisation.blocks import block_sequence, check_block_sizes
from mdma_at.domain.randomisation.minimisation import minimisation_allocation

ARMS = ("A", "B")
#: Bounds on a simulation's size, so a typo cannot occupy the server for hours (site default).
MAX_PARTICIPANTS = 100_000
MAX_TRIALS = 10_000
MAX_WORK = 10_000_000  # participants x trials


class Method(StrEnum):
    BLOCKS = "blocks"
    MINIMISATION = "minimisation"


@dataclass(frozen=True, slots=True)
class SimulationResult:
    max_stratum_imbalance: int
    mean_abs_total_imbalance: float
    trials: int

    def to_dict(self) -> dict[str, object]:
        return {
            "max_stratum_imbalance": self.max_stratum_imbalance,
            "mean_abs_total_imbalance": self.mean_abs_total_imbalance,
            "trials": self.trials,
        }


def _check(participants: int, strata: int, trials: int, block_sizes: Sequence[int]) -> None:
    if not 1 <= participants <= MAX_PARTICIPANTS:
        raise InvalidInput("participants", f"{participants} is outside 1-{MAX_PARTICIPANTS}")
    if not 1 <= strata <= participants:
        raise InvalidInput("strata", f"{strata} is outside 1-{participants} (the participants)")
    if not 1 <= trials <= MAX_TRIALS:
        raise InvalidInput("trials", f"{trials} is outside 1-{MAX_TRIALS}")
    if participants * trials > MAX_WORK:
        raise InvalidInput("trials", f"participants x trials is over {MAX_WORK}")
    check_block_sizes(block_sizes, len(ARMS))


def simulate(
    participants: int,
    strata: int,
    block_sizes: Sequence[int],
    trials: int,
    seed: int,
    method: Method = Method.BLOCKS,
) -> SimulationResult:
    """Allocate `participants` in each of `trials` simulated trials and measure the imbalance.

    Raises:
        InvalidInput: ``participants``, ``strata``, ``trials`` or ``block_sizes`` out of range.
    """
    _check(participants, strata, trials, block_sizes)
    worst = 0
    total_imbalance = 0
    for trial in range(trials):
        trial_seed = f"{seed}|trial|{trial}"
        arrivals = random.Random(f"{trial_seed}|arrivals")
        counts = [dict.fromkeys(ARMS, 0) for _ in range(strata)]
        sequences = [block_sequence(trial_seed, str(s), ARMS, block_sizes) for s in range(strata)]
        chance = random.Random(f"{trial_seed}|minimisation")
        for _ in range(participants):
            stratum = arrivals.randrange(strata)
            if method is Method.BLOCKS:
                arm = next(sequences[stratum])
            else:
                # one factor, the stratum: its counts are those of the stratum itself
                arm = minimisation_allocation(chance, ARMS, {"stratum": counts[stratum]})
            counts[stratum][arm] += 1
            worst = max(worst, abs(counts[stratum]["A"] - counts[stratum]["B"]))
        total_imbalance += abs(sum(c["A"] for c in counts) - sum(c["B"] for c in counts))
    return SimulationResult(worst, total_imbalance / trials, trials)
