"""The expected rise of systolic blood pressure and heart rate, with a band.

Direct linear concentration–effect model: rise = slope × predicted concentration, added to the
patient's own pre-dose baseline. The slopes make the rise at the 125 mg Cmax equal to the rises
Mas et al. 1999 [S66] measured (systolic about +40 mmHg, heart rate about +30 beats/min vs
placebo). The band's half-width is a site default. A reading above the band's upper edge is
flagged even while it is under the absolute alert limits, so the team looks sooner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mdma_at.domain.pk.model import (
    MAS_1999_FIT,
    Dose,
    PkParameters,
    concentration_at,
    concentration_curve,
)
from mdma_at.domain.sources import Source
from mdma_at.domain.vitals.readings import Parameter, VitalSigns

# Model Cmax after 125 mg with MAS_1999_FIT, ng/mL (docs/pk-model.md; checked by unit tests).
_CMAX_125_MG = 230.0


@dataclass(frozen=True, slots=True)
class EffectParameters:
    """Rise per ng/mL and the band's half-width.

    Args:
        systolic_per_ng_ml: mmHg of systolic rise per ng/mL of plasma MDMA.
        heart_rate_per_ng_ml: beats/min of rise per ng/mL.
        systolic_band: half-width of the systolic band, mmHg (expected ± band).
        heart_rate_band: half-width of the heart-rate band, beats/min.
    """

    systolic_per_ng_ml: float
    heart_rate_per_ng_ml: float
    systolic_band: float
    heart_rate_band: float
    source: Source
    band_source: Source


MAS_1999_EFFECTS = EffectParameters(
    systolic_per_ng_ml=40.0 / _CMAX_125_MG,
    heart_rate_per_ng_ml=30.0 / _CMAX_125_MG,
    systolic_band=20.0,
    heart_rate_band=20.0,
    source=Source(
        "Mas et al. 1999 [S66]: 125 mg raised systolic BP about 40 mmHg and heart rate about "
        "30/min vs placebo; scaled to the model's 125 mg Cmax"
    ),
    band_source=Source(
        "±20 mmHg and ±20/min: chosen for safety to cover between-person spread (Vizeli & "
        "Liechti 2017: SBP > 160 in 33%, HR > 100 in 29% [S32]); no published band",
        site_default=True,
    ),
)


@dataclass(frozen=True, slots=True)
class ExpectedVitals:
    """Expected systolic BP (mmHg) and heart rate (beats/min) at `t_h` hours, with the band."""

    t_h: float
    concentration_ng_ml: float
    systolic: float
    systolic_low: float
    systolic_high: float
    heart_rate: float
    heart_rate_low: float
    heart_rate_high: float


@dataclass(frozen=True, slots=True)
class BandExcursion:
    """A parameter of a reading above the expected band: by how much, in its unit."""

    parameter: Parameter
    value: float
    band_high: float
    above_by: float


def _at(baseline: VitalSigns, t_h: float, c: float, effects: EffectParameters) -> ExpectedVitals:
    sbp = baseline.systolic + effects.systolic_per_ng_ml * c
    hr = baseline.heart_rate + effects.heart_rate_per_ng_ml * c
    return ExpectedVitals(
        t_h,
        c,
        sbp,
        sbp - effects.systolic_band,
        sbp + effects.systolic_band,
        hr,
        hr - effects.heart_rate_band,
        hr + effects.heart_rate_band,
    )


def expected_vitals(
    baseline: VitalSigns,
    doses: Sequence[Dose],
    t_h: float,
    effects: EffectParameters = MAS_1999_EFFECTS,
    parameters: PkParameters = MAS_1999_FIT,
) -> ExpectedVitals:
    """Expected systolic BP and heart rate `t_h` hours after the initial dose.

    Args:
        baseline: the latest pre-dose reading (the patient's own starting point).
        doses: the doses given (hours after the initial dose, mg).
        t_h: hours after the initial dose.
    """
    return _at(baseline, t_h, concentration_at(doses, t_h, parameters), effects)


def expected_trajectory(
    baseline: VitalSigns,
    doses: Sequence[Dose],
    until_h: float = 10.0,
    every_minutes: int = 5,
    effects: EffectParameters = MAS_1999_EFFECTS,
    parameters: PkParameters = MAS_1999_FIT,
) -> tuple[ExpectedVitals, ...]:
    """The expected band every `every_minutes` minutes from 0 to `until_h` hours, for the
    console's chart (one integration for the whole curve)."""
    if every_minutes < 1:
        raise ValueError("every_minutes must be at least 1")
    curve = concentration_curve(doses, until_h, step_h=1 / 60, parameters=parameters)
    return tuple(_at(baseline, t, c, effects) for t, c in curve[::every_minutes])


def above_band(reading: VitalSigns, expected: ExpectedVitals) -> tuple[BandExcursion, ...]:
    """The parameters of `reading` strictly above the band's upper edge (``value > high``)."""
    out: list[BandExcursion] = []
    if reading.systolic > expected.systolic_high:
        out.append(
            BandExcursion(
                Parameter.SYSTOLIC,
                reading.systolic,
                expected.systolic_high,
                reading.systolic - expected.systolic_high,
            )
        )
    if reading.heart_rate > expected.heart_rate_high:
        out.append(
            BandExcursion(
                Parameter.HEART_RATE,
                reading.heart_rate,
                expected.heart_rate_high,
                reading.heart_rate - expected.heart_rate_high,
            )
        )
    return tuple(out)
