"""One-compartment oral model with saturable elimination.

State: the amount still in the gut ``A`` (µg) and the plasma concentration ``C`` (ng/mL = µg/L).

    dA/dt = -ka · A
    dC/dt =  ka · A / V  -  Vmax · C / (Km + C)

With ``C << Km`` elimination is first order (half-life ln 2 · Km / Vmax); near and above Km it
saturates, so exposure rises more than proportionally with the dose and the apparent half-life
lengthens, as de la Torre et al. 2000 [S68] found. Doses are mg of MDMA HCl as given; the salt
fraction and the bioavailability are folded into the apparent volume ``V`` (V/F).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.sources import Source


@dataclass(frozen=True, slots=True)
class PkParameters:
    """Model parameters.

    Args:
        ka_per_h: first-order absorption rate constant, 1/h.
        v_l: apparent volume of distribution V/F, litres.
        vmax_ng_ml_h: maximal elimination rate, ng/mL per hour.
        km_ng_ml: concentration at half the maximal elimination rate, ng/mL.
    """

    ka_per_h: float
    v_l: float
    vmax_ng_ml_h: float
    km_ng_ml: float
    source: Source


MAS_1999_FIT = PkParameters(
    ka_per_h=1.7,
    v_l=480.0,
    vmax_ng_ml_h=27.5,
    km_ng_ml=253.0,
    source=Source(
        "Fitted by mdma-at to Mas et al. 1999 [S66] (75 and 125 mg: Cmax 130.9 and 236.4 ng/mL, "
        "Tmax 1.8 and 2.4 h, half-life 7.7 and 8.6 h); saturable elimination after de la Torre "
        "et al. 2000 [S68]; docs/pk-model.md"
    ),
)


@dataclass(frozen=True, slots=True)
class Dose:
    """A dose of `mg` mg MDMA HCl taken at `at_h` hours (0 = the initial dose)."""

    at_h: float
    mg: float


def doses_after(initial_at: datetime, given: Iterable[tuple[datetime, float]]) -> tuple[Dose, ...]:
    """Doses given at clock times (time, mg) as hours after the initial dose at `initial_at`."""
    return tuple(Dose((t - initial_at).total_seconds() / 3600, mg) for t, mg in given)


def _rates(a: float, c: float, p: PkParameters) -> tuple[float, float]:
    absorbed = p.ka_per_h * a
    return -absorbed, absorbed / p.v_l - p.vmax_ng_ml_h * c / (p.km_ng_ml + c)


def concentration_curve(
    doses: Sequence[Dose],
    until_h: float,
    step_h: float = 1 / 60,
    parameters: PkParameters = MAS_1999_FIT,
) -> tuple[tuple[float, float], ...]:
    """Predicted plasma concentration from 0 to `until_h` hours.

    Classic fourth-order Runge–Kutta with a fixed step; each dose enters the gut at its time
    (superposition does not hold for saturable elimination, so doses are simulated together).

    Args:
        doses: the doses given or planned, hours after the initial dose and mg.
        until_h: last time point, hours.
        step_h: integration and output step, hours (1 min by default).
        parameters: the model's parameters.

    Returns:
        ``(t_h, concentration_ng_ml)`` pairs, every `step_h` from 0.
    """
    if step_h <= 0 or until_h < 0:
        raise ValueError("step_h must be positive and until_h not negative")
    pending = sorted(doses, key=lambda d: d.at_h)
    steps = round(until_h / step_h)
    a = c = 0.0
    out: list[tuple[float, float]] = []
    for i in range(steps + 1):
        t = i * step_h
        # Doses due by now enter the gut before this step is integrated.
        while pending and pending[0].at_h <= t + step_h / 2:
            a += pending.pop(0).mg * 1000.0
        out.append((t, c))
        h = step_h
        k1 = _rates(a, c, parameters)
        k2 = _rates(a + h / 2 * k1[0], c + h / 2 * k1[1], parameters)
        k3 = _rates(a + h / 2 * k2[0], c + h / 2 * k2[1], parameters)
        k4 = _rates(a + h * k3[0], c + h * k3[1], parameters)
        a += h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        c += h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        c = max(c, 0.0)
    return tuple(out)


def concentration_at(
    doses: Sequence[Dose], t_h: float, parameters: PkParameters = MAS_1999_FIT
) -> float:
    """Predicted plasma concentration (ng/mL) `t_h` hours after the initial dose."""
    if t_h <= 0:
        return 0.0
    return concentration_curve(doses, t_h, parameters=parameters)[-1][1]
