"""Validation of one dose amount, as the console checks every entry."""

from __future__ import annotations

import math

from mdma_at.domain.errors import InvalidInput


def validate_mg(value: object, field: str = "mg") -> float:
    """A dose amount in mg of MDMA HCl: a finite number ``> 0``, else `InvalidInput`.

    Whether the amount is allowed is a clinical decision, not validation: 200 mg is valid input
    and the rules refuse it with reasons.

    Raises:
        InvalidInput: e.g. ``mg: 0 mg must be greater than 0 mg``, ``mg: 'forty' is not a number
            of mg``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(field, f"{value!r} is not a number of mg")
    if value <= 0:
        raise InvalidInput(field, f"{value:g} mg must be greater than 0 mg")
    return float(value)
