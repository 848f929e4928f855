"""CAPS-5 helper: an item's severity from the rater's frequency and intensity ratings.

The CAPS-5 training rule ([S39], VA/NCPTSD CAPS-5 course, lessons 8.003 and 8.043): when
frequency and intensity match, that is the severity; otherwise take the lower of the two;
except that when intensity is two or more steps above frequency, rate one step above frequency.
No CAPS-5 item text ships (the interview is licensed from the National Center for PTSD).
"""

from __future__ import annotations

from mdma_at.domain.errors import InvalidInput

RATING_MIN = 0
RATING_MAX = 4


def caps5_item_severity(frequency: int, intensity: int, *, item: int | None = None) -> int:
    """Severity (0–4) of one CAPS-5 item.

    Args:
        frequency: the frequency rating, 0–4.
        intensity: the intensity rating, 0–4.
        item: the item number, to name it in errors (``items[7].frequency``).

    Returns:
        ``frequency`` when the two match; ``frequency + 1`` when ``intensity - frequency >= 2``;
        otherwise ``min(frequency, intensity)``.

    Raises:
        InvalidInput: a rating outside 0–4.
    """
    prefix = f"items[{item}]." if item is not None else ""
    for name, value in (("frequency", frequency), ("intensity", intensity)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"{prefix}{name}", f"{value!r} is not a number (allowed 0–4)")
        if not RATING_MIN <= value <= RATING_MAX:
            raise InvalidInput(f"{prefix}{name}", f"{value} is outside {RATING_MIN}–{RATING_MAX}")
    if frequency == intensity:
        return frequency
    if intensity - frequency >= 2:
        return frequency + 1
    return min(frequency, intensity)
