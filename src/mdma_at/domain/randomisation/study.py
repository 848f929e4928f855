"""A study's records and the rules around them: arms, strata, allocation, emergency unblinding.

Which arm a participant is in is the one fact blinded roles never see; these records keep it in
`Allocation.arm` only, so a read model that leaves `Allocation` out cannot leak it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.randomisation.blocks import check_block_sizes
from mdma_at.domain.randomisation.minimisation import check_probability
from mdma_at.domain.randomisation.simulation import Method

#: Stratification factors a study may name: the participant's site, and the band of their
#: baseline CAPS-5 total (cut-off from the protocol, protocols/mapp_v1/trial.py).
FACTORS = ("site", "caps5_band")
MAX_TEXT = 200
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class Arm:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Study:
    id: int
    code: str
    title: str
    protocol: str
    arms: tuple[Arm, ...]
    site_ids: tuple[int, ...]
    target_size: int
    method: Method
    block_sizes: tuple[int, ...]
    factors: tuple[str, ...]
    p_best: float
    designated_physician_id: int
    #: SHA-256 of the study code and the statistician's seed: proves later which seed was used,
    #: reveals nothing of it. None until the statistician seals the schedule.
    seed_commitment: str | None
    created_at: datetime

    @property
    def sealed(self) -> bool:
        return self.seed_commitment is not None


@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    study_id: int
    patient_id: int
    levels: Mapping[str, str]
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Allocation:
    """An irreversible allocation: `position` is its order in the study, `stratum` its key."""

    id: int
    study_id: int
    participant_id: int
    position: int
    stratum: str
    arm: str
    allocated_at: datetime
    allocated_by: int


@dataclass(frozen=True, slots=True)
class UnblindingRequest:
    id: int
    participant_id: int
    reason: str
    requested_by: int
    requested_at: datetime
    approved_by: int | None = None
    approved_at: datetime | None = None

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


def seed_commitment(study_code: str, seed: str) -> str:
    return hashlib.sha256(f"{study_code}|{seed}".encode()).hexdigest()


def stratum_of(levels: Mapping[str, str], factors: Sequence[str]) -> str:
    """The stratum key: the participant's levels of the study's factors, in the study's order."""
    return "|".join(f"{factor}={levels[factor]}" for factor in factors) or "all"


def caps5_band(total: int | None, severe_from: int) -> str:
    """`severe` at or above the protocol's cut-off, else `moderate`; `unknown` without a total."""
    if total is None:
        return "unknown"
    return "severe" if total >= severe_from else "moderate"


def check_design(
    code: str,
    title: str,
    arms: Sequence[Arm],
    target_size: int,
    method: Method,
    block_sizes: Sequence[int],
    factors: Sequence[str],
    p_best: float,
) -> None:
    """Refuse a study design that cannot run.

    Raises:
        InvalidInput: the first field that is wrong.
    """
    for field, text in (("code", code), ("title", title)):
        if not text.strip():
            raise InvalidInput(field, "is required")
        if len(text) > MAX_TEXT:
            raise InvalidInput(field, f"{len(text)} characters is over the limit {MAX_TEXT}")
    if len(arms) < 2:
        raise InvalidInput("arms", "a randomised study needs at least two arms")
    codes = [arm.code for arm in arms]
    if len(set(codes)) != len(codes) or not all(c.strip() and len(c) <= 32 for c in codes):
        raise InvalidInput("arms", "arm codes must be distinct, non-blank, at most 32 characters")
    if not 2 <= target_size <= 100_000:
        raise InvalidInput("target_size", f"{target_size} is outside 2-100000")
    if method is Method.BLOCKS:
        check_block_sizes(block_sizes, len(arms))
    unknown = [f for f in factors if f not in FACTORS]
    if unknown or len(set(factors)) != len(factors):
        raise InvalidInput("factors", f"each of {', '.join(FACTORS)} at most once")
    check_probability(p_best)


def check_reason(reason: str, field: str = "reason") -> str:
    """The reason for an emergency unblinding, required and bounded.

    Raises:
        InvalidInput: `field` blank or over-long.
    """
    text = reason.strip()
    if not text:
        raise InvalidInput(field, "an emergency unblinding needs a reason")
    if len(text) > MAX_REASON:
        raise InvalidInput(field, f"{len(text)} characters is over the limit {MAX_REASON}")
    return text
