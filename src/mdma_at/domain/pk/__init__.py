"""Expected trajectory of a dosing session: MDMA plasma concentration and the vital-sign band.

A one-compartment oral model with first-order absorption and Michaelis–Menten (saturable)
elimination, integrated with plain-Python Runge–Kutta; parameters fitted to Mas et al. 1999
(reference/clinical-facts.md §8). Model and limits: docs/pk-model.md.
"""

from mdma_at.domain.pk.expected_vitals import (
    MAS_1999_EFFECTS,
    BandExcursion,
    EffectParameters,
    ExpectedVitals,
    above_band,
    expected_trajectory,
    expected_vitals,
)
from mdma_at.domain.pk.metrics import CurveSummary, summarise, terminal_half_life
from mdma_at.domain.pk.model import (
    MAS_1999_FIT,
    Dose,
    PkParameters,
    concentration_at,
    concentration_curve,
    doses_after,
)

__all__ = [
    "MAS_1999_EFFECTS",
    "MAS_1999_FIT",
    "BandExcursion",
    "CurveSummary",
    "Dose",
    "EffectParameters",
    "ExpectedVitals",
    "PkParameters",
    "above_band",
    "concentration_at",
    "concentration_curve",
    "doses_after",
    "expected_trajectory",
    "expected_vitals",
    "summarise",
    "terminal_half_life",
]
