"""Stratified permuted blocks with randomly mixed block sizes.

Each stratum has its own sequence: blocks whose size is drawn at random from the allowed sizes,
each block holding every arm equally often in a random order. Mixing the sizes keeps the end of a
block from being guessed by counting (ICH E9 §2.3.1 warns that a fixed, known block length lets
staff predict the last allocations of each block). Within a stratum the arms can never differ by
more than half the largest block: every block is balanced when complete.

The sequence is a pure function of the seed and the stratum, so a stored seed is the schedule.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from mdma_at.domain.errors import InvalidInput

#: The largest block accepted: far above any trial's (4-8 in practice) and small enough that a
#: block is built in microseconds (site default).
MAX_BLOCK_SIZE = 100


def check_block_sizes(block_sizes: Sequence[int], arms: int, field: str = "block_sizes") -> None:
    """Refuse block sizes that cannot hold every arm equally often, or are absurdly large.

    Raises:
        InvalidInput: `field`, naming the first size that is not a positive multiple of `arms`.
    """
    if not block_sizes:
        raise InvalidInput(field, "give at least one block size")
    for size in block_sizes:
        if size > MAX_BLOCK_SIZE:
            raise InvalidInput(field, f"{size} is over the largest block size {MAX_BLOCK_SIZE}")
        if size <= 0 or size % arms:
            raise InvalidInput(
                field, f"{size} is not a positive multiple of the {arms} arms (1:1 allocation)"
            )


def stratum_rng(seed: str, stratum: str) -> random.Random:
    """The stratum's own generator: independent of the order in which strata fill up."""
    return random.Random(f"{seed}|blocks|{stratum}")


def block_sequence(
    seed: str, stratum: str, arms: Sequence[str], block_sizes: Sequence[int]
) -> Iterator[str]:
    """The stratum's allocation sequence, endless: arm codes in the order they are given out."""
    check_block_sizes(block_sizes, len(arms))
    rng = stratum_rng(seed, stratum)
    sizes = sorted(set(block_sizes))
    while True:
        size = rng.choice(sizes)
        block = [arm for arm in arms for _ in range(size // len(arms))]
        rng.shuffle(block)
        yield from block


def block_allocation(
    seed: str, stratum: str, position: int, arms: Sequence[str], block_sizes: Sequence[int]
) -> str:
    """The arm of the `position`-th participant (0-based) randomised in `stratum`."""
    for index, arm in enumerate(block_sequence(seed, stratum, arms, block_sizes)):
        if index == position:
            return arm
    raise AssertionError("unreachable: the sequence is endless")
