"""Randomisation for trials (issue 16): stratified permuted blocks with mixed block sizes,
Pocock–Simon minimisation with a random element, the study's records and rules, and simulated
trials that measure balance. Pure: standard library only; every draw comes from
`random.Random(seed)`, so the seed that only the unblinded statistician holds is the schedule.
"""

from mdma_at.domain.randomisation.blocks import block_allocation, block_sequence, check_block_sizes
from mdma_at.domain.randomisation.minimisation import (
    P_BEST,
    level_counts,
    minimisation_allocation,
    participant_rng,
)
from mdma_at.domain.randomisation.simulation import Method, SimulationResult, simulate

__all__ = [
    "P_BEST",
    "Method",
    "SimulationResult",
    "block_allocation",
    "block_sequence",
    "check_block_sizes",
    "level_counts",
    "minimisation_allocation",
    "participant_rng",
    "simulate",
]
