"""What a blinded export receiver never gets: the one function every export reads an arm through.

Arms (and kit contents, which name the arm) are allocation-revealing (ADR 0161). The exports carry
no kit numbers, lots or contents at all, and read a participant's arm only through `visible_arm`,
so routing this one function through another redaction layer covers every export (ADR 0184).
"""

from __future__ import annotations

from mdma_at.domain.randomisation.study import Allocation, Arm, Study
from mdma_at.domain.staff import Principal
from mdma_at.services.trials.randomise import may_see_arms


def visible_arm(principal: Principal, study: Study, allocation: Allocation | None) -> Arm | None:
    """The participant's arm when `principal` is unblinded for `study`, else None (also when the
    participant is not randomised)."""
    if allocation is None or not may_see_arms(principal, study):
        return None
    return next((arm for arm in study.arms if arm.code == allocation.arm), None)
