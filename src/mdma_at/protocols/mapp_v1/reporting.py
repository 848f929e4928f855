"""What the regulators' reports count and when an expedited safety report is due (issue 17,
item 4), as data with sources (reference/clinical-facts.md §7)."""

from __future__ import annotations

from mdma_at.domain.reports import ExpeditedRules, ReportingPeriods
from mdma_at.domain.sources import Source

EXPEDITED = ExpeditedRules(
    fatal_or_life_threatening_days=7,
    other_serious_days=15,
    source=Source(
        "TGA Authorised Prescriber scheme, information for sponsors: fatal or life-threatening "
        "events within 7 calendar days, other serious unexpected events within 15 calendar days "
        "[S61]; the same 7/15-day clocks as ICH E2A, counted from the day the clinic became "
        "aware (the day the event was charted)"
    ),
)

AUTHORISED_PRESCRIBER = ReportingPeriods(
    months=6,
    source=Source(
        "TGA, Submitting six-monthly reports – Authorised Prescribers (reg. 47B Therapeutic "
        "Goods Regulations 1990): periods 1 Jan–30 Jun and 1 Jul–31 Dec; number of new patients "
        "and total patients treated, zero if none [S60]"
    ),
)
