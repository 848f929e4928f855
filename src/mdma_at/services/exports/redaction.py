"""What a blinded export receiver never gets: the one function every export reads an arm through.

Arms (and kit contents, which name the arm) are allocation-revealing (ADR 0161). The exports carry
no kit numbers, lots or contents at all, and read a participant's arm only through `visible_arm`,
which discloses it through the one redaction layer of the trial blind (`domain.blinding`,
ADR 0165): the arm is concealed under the study's blind and revealed only to whom it admits.
"""

from __future__ import annotations

from mdma_at.domain.blinding import Concealed, disclose
from mdma_at.domain.randomisation.study import Allocation, Arm, Study
from mdma_at.domain.staff import Principal
from mdma_at.services.trials.randomise import arm_blind


def visible_arm(principal: Principal, study: Study, allocation: Allocation | None) -> Arm | None:
    """The participant's arm when `principal` is unblinded for `study`, else None (also when the
    participant is not randomised)."""
    if allocation is None:
        return None
    arm = next((arm for arm in study.arms if arm.code == allocation.arm), None)
    revealed: Arm | None = disclose(Concealed(arm, arm_blind(study)), principal)
    return revealed
