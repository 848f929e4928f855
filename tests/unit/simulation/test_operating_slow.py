"""500 null replicates (issue 19, done-when): with no difference between the arms the primary
analysis rejects at two-sided alpha 0.05 in 3-7% of simulated trials. `make test-slow`."""

from __future__ import annotations

import pytest

from mdma_at.simulation.operating import operating_characteristics


@pytest.mark.slow
def test_500_null_replicates_give_a_type_i_error_near_five_percent() -> None:
    result = operating_characteristics(500, 104, seed=1, effect=0.0)
    # The bounds are the issue's: 0.05 ± about two Monte Carlo SEs (sqrt(0.05 × 0.95 / 500)).
    assert 0.03 <= result.rate <= 0.07, result.as_dict()
