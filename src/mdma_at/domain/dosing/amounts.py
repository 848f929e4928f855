"""Validation of amounts: a number of some unit, and a dose, as the console and the replay check
every entry."""

from __future__ import annotations

import math

from mdma_at.domain.errors import InvalidInput


def validate_number(value: object, field: str, unit: str) -> float:
    """A finite number (never a bool: a checkbox value is not an amount), else `InvalidInput`
    naming `field` and the `unit` (``'forty' is not a number of mg``)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(field, f"{value!r} is not a number of {unit}")
    return float(value)


def validate_mg(value: object, field: str = "mg") -> float:
    """A dose amount in mg of MDMA HCl: a finite number ``> 0``, else `InvalidInput`.

    Whether the amount is allowed is a clinical decision, not validation: 200 mg is valid input
    and the rules refuse it with reasons.

    Raises:
        InvalidInput: e.g. ``mg: 0 mg must be greater than 0 mg``, ``mg: 'forty' is not a number
            of mg``.
    """
    mg = validate_number(value, field, "mg")
    if mg <= 0:
        raise InvalidInput(field, f"{mg:g} mg must be greater than 0 mg")
    return mg
