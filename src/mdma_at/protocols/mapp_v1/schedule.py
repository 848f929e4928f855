"""The `mapp_v1` visit schedule (DESIGN.md §4; reference/clinical-facts.md §1.1, §4).

Anchors and windows:
- 3 preparation sessions before baseline, weekly (MAPP1/MAPP2: 3 preparatory sessions; the weekly
  spacing and windows are site defaults).
- Baseline CAPS-5 assessment after preparation (MAPP1: baseline = Visit 3, after preparation).
- 3 dosing sessions, target 4 weeks apart, window 3–5 weeks (MAPP1 "spaced four weeks apart";
  MAPS open-label studies "3 to 5 weeks apart").
- 3 × 90-min integration sessions after each dosing session: the day after, then weekly (MAPP1).
- An assessment after each dosing session, before the next (MAPP1: 4 endpoint assessments).
- Primary endpoint 18 weeks after baseline (MAPP1/MAPP2).
- Long-term follow-up 6 and 12 months after the last dosing session (added: the FDA's 2024 complete
  response letter asked for durability data; anchored to the last dose, as durability is measured
  after treatment).
"""

from __future__ import annotations

from mdma_at.domain.schedule.booking import BookingRules
from mdma_at.domain.schedule.definitions import (
    ENROLMENT,
    ScheduleDefinition,
    VisitDefinition,
    VisitKind,
)
from mdma_at.domain.sources import Source
from mdma_at.protocols.mapp_v1.aftercare import NOTES

MAPP_PREPARATION = Source("MAPP1/MAPP2: 3 preparatory sessions before baseline [S1][S3]")
MAPP_WEEKLY = Source("Weekly spacing and windows of preparation chosen for scheduling", True)
MAPP_BASELINE = Source("MAPP1: baseline CAPS-5 at Visit 3, after preparation [S1][S4][S42]")
MAPP_DOSING = Source(
    "MAPP1: dosing sessions spaced four weeks apart [S4]; window 3–5 weeks: MAPS open-label [S11]"
)
MAPP_INTEGRATION = Source(
    "MAPP1: 3 × 90-min integration sessions, the day after, then weekly [S1][S4]"
)
MAPP_ASSESSMENT = Source(
    "MAPP1: 4 endpoint assessments over 18 weeks [S13] (timing is a site default: none published)",
    True,
)
MAPP_PRIMARY = Source(
    "MAPP1/MAPP2: primary endpoint CAPS-5 at 18 weeks after baseline [S1][S4][S5]"
)
FDA_DURABILITY = Source("FDA complete response letter 2024: durability data past 18 weeks [S21]")


def _dosing_cycle(n: int, anchor: str, offset: int, window: int) -> tuple[VisitDefinition, ...]:
    """A dosing session, its three integration sessions and the assessment after it."""
    es = f"es{n}"
    return (
        VisitDefinition(
            es,
            VisitKind.DOSING,
            f"Dosing session {n}",
            anchor,
            offset,
            window,
            window,
            MAPP_DOSING,
            dosing_number=n,
        ),
        VisitDefinition(
            f"{es}_int1",
            VisitKind.INTEGRATION,
            f"Integration {n}.1 (day after)",
            es,
            1,
            0,
            1,
            MAPP_INTEGRATION,
        ),
        VisitDefinition(
            f"{es}_int2", VisitKind.INTEGRATION, f"Integration {n}.2", es, 8, 2, 3, MAPP_INTEGRATION
        ),
        VisitDefinition(
            f"{es}_int3",
            VisitKind.INTEGRATION,
            f"Integration {n}.3",
            es,
            15,
            2,
            3,
            MAPP_INTEGRATION,
        ),
        VisitDefinition(
            f"assess{n}",
            VisitKind.ASSESSMENT,
            f"Assessment after dosing session {n}",
            es,
            18,
            2,
            3,
            MAPP_ASSESSMENT,
        ),
    )


SCHEDULE = ScheduleDefinition(
    visits=(
        VisitDefinition(
            "prep1", VisitKind.PREPARATION, "Preparation 1", ENROLMENT, 7, 7, 7, MAPP_PREPARATION
        ),
        VisitDefinition(
            "prep2", VisitKind.PREPARATION, "Preparation 2", "prep1", 7, 3, 7, MAPP_WEEKLY
        ),
        VisitDefinition(
            "prep3", VisitKind.PREPARATION, "Preparation 3", "prep2", 7, 3, 7, MAPP_WEEKLY
        ),
        VisitDefinition(
            "baseline", VisitKind.ASSESSMENT, "Baseline assessment", "prep3", 3, 3, 7, MAPP_BASELINE
        ),
        *_dosing_cycle(1, "baseline", 7, window=6),
        *_dosing_cycle(2, "es1", 28, window=7),
        *_dosing_cycle(3, "es2", 28, window=7),
        VisitDefinition(
            "primary",
            VisitKind.PRIMARY_ENDPOINT,
            "Primary endpoint (18 weeks)",
            "baseline",
            126,
            7,
            14,
            MAPP_PRIMARY,
        ),
        VisitDefinition(
            "fu6m", VisitKind.FOLLOW_UP, "Follow-up 6 months", "es3", 182, 14, 14, FDA_DURABILITY
        ),
        VisitDefinition(
            "fu12m", VisitKind.FOLLOW_UP, "Follow-up 12 months", "es3", 365, 30, 30, FDA_DURABILITY
        ),
    )
)

# --- how long each kind of visit is booked for (issue 14, item 2; ADR 0142) ---
_EIGHT_HOURS = Source("MAPP1/MAPP2: experimental sessions last 8 hours [S4][S12]")
_NINETY_MINUTES = Source("MAPP1: non-drug (integrative) sessions last 90 minutes [S1][S4]")
_PREPARATION_MINUTES = Source(
    "Site default: the length of MAPP1's preparatory sessions is not in the retrieved sources; "
    "booked as long as the 90-minute integrative sessions of the same therapy [S1][S4]",
    True,
)
_ASSESSMENT_MINUTES = Source(
    "Site default: no published visit length; two hours hold a CAPS-5 interview "
    "and the self-report measures of the visit",
    True,
)
_FOLLOW_UP_MINUTES = Source(
    "Site default: no published visit length; one hour for the follow-up interview and measures",
    True,
)

BOOKINGS = BookingRules(
    minutes={
        VisitKind.DOSING: 480,
        VisitKind.PREPARATION: 90,
        VisitKind.INTEGRATION: 90,
        VisitKind.ASSESSMENT: 120,
        VisitKind.PRIMARY_ENDPOINT: 120,
        VisitKind.FOLLOW_UP: 60,
    },
    minutes_source={
        VisitKind.DOSING: _EIGHT_HOURS,
        VisitKind.PREPARATION: _PREPARATION_MINUTES,
        VisitKind.INTEGRATION: _NINETY_MINUTES,
        VisitKind.ASSESSMENT: _ASSESSMENT_MINUTES,
        VisitKind.PRIMARY_ENDPOINT: _ASSESSMENT_MINUTES,
        VisitKind.FOLLOW_UP: _FOLLOW_UP_MINUTES,
    },
    dyad_size=NOTES.dyad_size,  # the same dyad that signs the session notes
    dyad_source=NOTES.dyad_source,
)
