"""The default demo trial against MAPP2 (issue 19, done-when): with the default seed and 104
participants through the services, the simulated primary result lies within sampling error of
the published one. `make test-slow` (several minutes on a loaded machine)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from support.cli import mdma_at_in_process

# MAPP2 (Mitchell 2023 [S2], reference/clinical-facts.md §5.2): LS mean change with 95% CI.
MAPP2 = {"mdma": (-23.7, -26.94, -20.44), "placebo": (-14.8, -18.28, -11.28)}
Z = 1.959964  # two-sided 95%


def _se(low: float, high: float) -> float:
    return (high - low) / (2 * Z)


@pytest.mark.slow
def test_the_default_trial_agrees_with_mapp2_within_sampling_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MDMA_AT_")}
    done = mdma_at_in_process("demo", "--json", "--out", str(tmp_path / "demo"), env=env)
    assert done.returncode == 0, done.stderr
    primary = json.loads(done.stdout)["primary"]
    for arm, (published, low, high) in MAPP2.items():
        simulated = primary["arms"][arm]
        allowed = Z * math.hypot(simulated["se"], _se(low, high))
        assert abs(simulated["ls_mean_change"] - published) <= allowed, (arm, simulated)
    published_difference = MAPP2["mdma"][0] - MAPP2["placebo"][0]  # -8.9 points
    published_se = math.hypot(_se(*MAPP2["mdma"][1:]), _se(*MAPP2["placebo"][1:]))
    simulated_se = (primary["ci_high"] - primary["ci_low"]) / (2 * Z)
    allowed = Z * math.hypot(simulated_se, published_se)
    assert abs(primary["difference"] - published_difference) <= allowed, primary
