"""Rules that apply when an entry is recorded live, not when a timeline is replayed."""

from __future__ import annotations

from datetime import datetime, timedelta

from mdma_at.domain.dosing.session_facts import stamp
from mdma_at.domain.errors import InvalidInput


def ensure_not_in_future(
    t: datetime, now: datetime, field: str = "t", leeway: timedelta = timedelta(0)
) -> datetime:
    """`t` unchanged, or `InvalidInput` when ``t > now + leeway``.

    The console records what happened, so a time in the future is a typing error (issue 5 'Bad
    input'). The replay never calls this: it evaluates hypothetical sessions too. `now` comes
    from the service's clock port; the domain never reads the clock.
    """
    if t > now + leeway:
        raise InvalidInput(field, f"{stamp(t)} is in the future (now {stamp(now)})")
    return t
