"""The simulated vital signs (issue 19, item 5): the diastolic is always below the systolic, as
the session service requires of a reading. The 1,040-participant demo once failed on a reading
of 90/91 mmHg: systolic and diastolic are drawn independently, and their tails can cross."""

from __future__ import annotations

import numpy as np

from mdma_at.simulation.calibration import load
from mdma_at.simulation.journey import resting_vitals, vitals_reading


def test_a_reading_near_the_crossing_is_taken_again_until_it_is_a_blood_pressure() -> None:
    values = load().values
    # 90/89 at rest: with reading noise of SD 4 and 3 mmHg (calibration vitals.spread.*), a
    # single draw crosses about four times in ten
    base = {"systolic": 90.0, "diastolic": 89.0, "heart_rate": 72.0, "temperature_c": 36.7}
    rng = np.random.default_rng(5)
    readings = [vitals_reading(rng, values, base, 0.0) for _ in range(200)]
    assert all(r["diastolic"] < r["systolic"] for r in readings)
    assert min(r["systolic"] - r["diastolic"] for r in readings) >= 1


def test_a_resting_pressure_whose_means_cross_is_drawn_again() -> None:
    values = dict(load().values)
    # equal means (100/100): half of the independent draws would put the diastolic on top
    values["vitals.pre_dose.systolic"] = values["vitals.pre_dose.diastolic"] = 100.0
    rng = np.random.default_rng(5)
    draws = [resting_vitals(rng, values) for _ in range(200)]
    assert all(d["diastolic"] < d["systolic"] for d in draws)
