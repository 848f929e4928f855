"""Daily contacts after each dosing session (issue 14, item 5): when they are due, what a
check-in records, and when it needs a C-SSRS screener."""

from mdma_at.domain.check_ins.contacts import (
    CheckIn,
    CheckInDraft,
    CheckInRules,
    ContactDay,
    ContactMode,
    DosingDay,
    check_check_in,
    contact_day,
    contact_days,
    screener_indication,
)

__all__ = [
    "CheckIn",
    "CheckInDraft",
    "CheckInRules",
    "ContactDay",
    "ContactMode",
    "DosingDay",
    "check_check_in",
    "contact_day",
    "contact_days",
    "screener_indication",
]
