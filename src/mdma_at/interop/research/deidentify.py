"""The Safe Harbor rules the research tables are built under (45 CFR 164.514(b)(2)(i)).

Of the 18 identifiers, the clinic holds names (A), dates (C: birth, visits, events), telephone
numbers (D), email addresses (F), record numbers (H: the study ID and database ids) and, in free
text, possibly any of them. The research tables carry none: each patient is a random research
pseudonym (R, "a code ... not derived from information about the individual", 164.514(c)),
every date is shifted by the patient's own random number of days (ADR 0185), ages over 89 are
one category, and free text appears only where it is a term from a reviewed list.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from mdma_at.domain.adverse_events import SOLICITED_TERMS
from mdma_at.services.ports import ResearchKey

#: 45 CFR 164.514(b)(2)(i)(C): "all ages over 89 ... aggregated into a single category of age
#: 90 or older".
OLDEST_EXACT_AGE = 89
AGE_90_OR_OLDER = "90+"
#: What stands in for free text nobody reviewed.
WITHHELD = "other (free text withheld)"
#: Free text that is reviewed: the adverse-event terms the console offers (the clinic's own
#: vocabulary, domain/adverse_events.py), which name no one.
REVIEWED_TERMS = frozenset(term for terms in SOLICITED_TERMS.values() for term in terms)


def shifted(day: date | datetime | None, key: ResearchKey) -> str:
    """The date moved by the patient's shift, as ISO 8601 (a date only: times of day are not
    needed by any analysis and are one more thing to match on); "" when unknown."""
    if day is None:
        return ""
    calendar_day = day.date() if isinstance(day, datetime) else day
    return (calendar_day + timedelta(days=key.day_shift)).isoformat()


def age_group(years: int) -> str:
    """The age in whole years as text, or "90+" above `OLDEST_EXACT_AGE`."""
    return str(years) if years <= OLDEST_EXACT_AGE else AGE_90_OR_OLDER


def reviewed(term: str) -> str:
    """The term when it is on the reviewed list, else `WITHHELD`."""
    return term if term in REVIEWED_TERMS else WITHHELD
