"""Between and after the dosing sessions: therapy notes and the daily check-ins (issue 14).

Sources are in reference/clinical-facts.md (numbers in brackets); where none publishes a value it
says "site default" and why.
"""

from __future__ import annotations

from mdma_at.domain.check_ins import CheckInRules
from mdma_at.domain.sources import Source
from mdma_at.domain.therapy_notes import NoteRules
from mdma_at.protocols.mapp_v1.dosing import SUDS

NOTES = NoteRules(
    max_minutes=480,
    duration_source=Source(
        "MAPP1: non-drug sessions last 90 minutes [S1][S4]; 480 minutes (a whole working day) "
        "is the longest duration accepted, so that a typing error (900 for 90) is caught",
        True,
    ),
    dyad_size=2,
    dyad_source=Source(
        "MAPP1/MAPP2: therapy by a co-therapist dyad [S11]; Mithoefer treatment manual [S18]"
    ),
)

CHECK_INS = CheckInRules(
    days=7,
    days_source=Source(
        "MAPS treatment manual (Mithoefer, v7 2015 / v8.1 2017) [S18]: daily follow-up contact "
        "for 7 days after each experimental session. Issue 14 cites the manual for this; the "
        "manual's text is not in the retrieved sources, so the count awaits verification there",
        True,
    ),
    suds_low=int(SUDS.low),
    suds_high=int(SUDS.high),
    suds_source=SUDS.source,
    screener_suds_above=50,
    screener_source=Source(
        "C-SSRS screener when the patient reports suicidal thoughts (suicidality is an adverse "
        "event of special interest in MAPP1 [S1][S31]) or rates distress (SUDS) above 50, the "
        "middle of the scale: no published check-in threshold exists, so the screen is asked "
        "early, for safety",
        True,
    ),
    max_sleep_hours=24.0,
    sleep_source=Source("Hours slept in the last night: 0 to 24 by definition", True),
)
