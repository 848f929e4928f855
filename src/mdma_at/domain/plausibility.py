"""What can never be a living person's value: one table for the screening intake, the patient
record, the dosing session and the replay (issue 12, item 2).

These are input checks, not clinical rules (ADR 0011): a value outside them is a typing or device
error and is refused as bad input; a plausible but dangerous value is a finding for the rules.
No publication sets them; they are site defaults chosen wide enough that no living patient is
refused (docs/screening.md, docs/dosing-console.md).
"""

from __future__ import annotations

from mdma_at.domain.sources import Source

#: Inclusive ranges (a value equal to a bound is accepted).
AGE_YEARS = (0, 120)
SYSTOLIC_MMHG = (50, 300)
#: The bedside check needs only the lower bound: there the diastolic must also stay below the
#: systolic, which the systolic's upper bound limits already.
DIASTOLIC_MMHG = (20, 200)
HEART_RATE_BPM = (20, 250)
TEMPERATURE_C = (30.0, 45.0)
SPO2_PERCENT = (50.0, 100.0)
QTC_MS = (250, 700)
#: The raw QT and RR interval of a screening ECG (issue 14): RR 250–2500 ms is a heart rate of
#: 24–240 beats/min, inside HEART_RATE_BPM.
QT_MS = (150, 800)
RR_MS = (250, 2500)
WEIGHT_KG = (20.0, 350.0)
#: The weight recorded when a dosing session starts or is replayed (issue 5) has a wider range
#: than the screening's; each is kept as its issue set it.
SESSION_WEIGHT_KG = (1.0, 400.0)

SOURCE = Source(
    "Site input checks: systolic 50–300 mmHg, diastolic ≥ 20 and < systolic, HR 20–250/min, "
    "temperature 30–45 °C; SpO2 50–100 %; chosen to refuse typing and device "
    "errors only",
    site_default=True,
)
