"""Times as entered: ISO-8601 text with a UTC offset, one parser for the console, the API, the
command line and the replay (issue 12, item 2).

A time without an offset is refused: in a clinical record a local time of unknown zone is
ambiguous.
"""

from __future__ import annotations

from datetime import datetime

from mdma_at.domain.errors import InvalidInput


def parse_time(value: object, field: str) -> datetime:
    """An ISO-8601 time with a UTC offset (``Z`` or ``+02:00``), aware, in the offset entered.

    Raises:
        InvalidInput: not text, not ISO-8601, or no offset (naming `field`).
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput(field, f"{value!r} is not an ISO-8601 time") from None
    else:
        raise InvalidInput(field, f"{value!r} is not an ISO-8601 time")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        shown = repr(value) if isinstance(value, str) else parsed.isoformat()
        raise InvalidInput(field, f"{shown} has no UTC offset (add Z or +hh:mm)")
    return parsed


def parse_entered_time(value: object, field: str = "t") -> datetime | None:
    """A time typed into a form or sent to the API, or None when blank (meaning now)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_time(value.strip() if isinstance(value, str) else value, field)
