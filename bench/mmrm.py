"""Speed of the MMRM engine against statsmodels MixedLM (``make bench``).

Same simulated trial for both: two arms, five visits, a baseline covariate, a random subject
intercept plus noise, and about 15% of visits missing (monotone dropout). The shared model is the
random-intercept model, which is MMRM's compound symmetry: ``cs(visit | subject)`` for us,
``mixedlm(groups=subject)`` for statsmodels, both by REML. Then ``us`` + Kenward-Roger on 20,000
subjects. Prints one line per timing; the LAST line is JSON with ``speedup_vs_mixedlm`` (the
ratio on 20,000 subjects) and ``us_kr_seconds_20000``.

Not part of the test suite: timings depend on the machine.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from mdma_at.analysis.mmrm import fit_mmrm

VISITS = 5
FIXED = "y ~ base + arm * visit"


def simulate(n_subjects: int, seed: int = 20260101) -> pd.DataFrame:
    """Long-format trial data with a random intercept and monotone dropout."""
    rng = np.random.default_rng(seed)
    subject = np.repeat(np.arange(n_subjects), VISITS)
    visit = np.tile(np.arange(1, VISITS + 1), n_subjects)
    arm = np.repeat(rng.integers(0, 2, n_subjects), VISITS)
    base = np.repeat(rng.normal(50.0, 10.0, n_subjects), VISITS)
    intercept = np.repeat(rng.normal(0.0, 4.0, n_subjects), VISITS)
    y = (
        10.0
        + 0.3 * base
        - 2.0 * visit
        - 1.5 * arm * visit
        + intercept
        + rng.normal(0, 3, visit.size)
    )
    dropout = np.repeat(rng.integers(2, VISITS + 12, n_subjects), VISITS)  # > VISITS: completer
    y[visit > dropout] = np.nan
    frame = pd.DataFrame(
        {
            "subject": [f"S{s:05d}" for s in subject],
            "visit": [f"W{v}" for v in visit],
            "arm": np.where(arm == 1, "MDMA", "PBO"),
            "base": base,
            "y": y,
        }
    )
    return frame


def best_of(repeats: int, run: Callable[[], None]) -> float:
    """Shortest wall time of ``repeats`` runs (the least disturbed by other processes)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    results: dict[str, float] = {}
    for n in (1_000, 20_000):
        data = simulate(n)
        observed = data.dropna(subset=["y"])
        repeats = 3 if n <= 1_000 else 1

        def ours_fit(d: pd.DataFrame = data) -> None:
            fit_mmrm(d, f"{FIXED} + cs(visit | subject)")

        ours = best_of(repeats, ours_fit)

        def mixedlm(d: pd.DataFrame = observed) -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                smf.mixedlm(FIXED, d, groups=d["subject"]).fit(reml=True)

        theirs = best_of(repeats, mixedlm)
        results[f"ours_{n}"], results[f"mixedlm_{n}"] = ours, theirs
        print(
            f"random intercept, {n:>6} subjects x {VISITS} visits: mdma-at {ours:7.3f} s, "
            f"statsmodels MixedLM {theirs:7.3f} s, ratio {theirs / ours:6.1f}x"
        )
    data = simulate(20_000)
    start = time.perf_counter()
    fit = fit_mmrm(data, f"{FIXED} + us(visit | subject)", df="kenward-roger")
    us_kr = time.perf_counter() - start
    print(
        f"us + Kenward-Roger, 20000 subjects x {VISITS} visits: {us_kr:.3f} s "
        f"(converged: {fit.converged})"
    )
    print(
        json.dumps(
            {
                "speedup_vs_mixedlm": round(results["mixedlm_20000"] / results["ours_20000"], 2),
                "speedup_vs_mixedlm_1000": round(results["mixedlm_1000"] / results["ours_1000"], 2),
                "us_kr_seconds_20000": round(us_kr, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
