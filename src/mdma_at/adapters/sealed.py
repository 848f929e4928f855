"""The names of the append-only tables whose rows each audit event seals, in sealing order.

One list for both adapters (the SQL schema builds its tables from it, the in-memory store refuses
updates by it), so a new sealed table cannot be sealed by one adapter and not the other.
`audit verify` reports a tampered row by these names.
"""

SEALED_TABLE_NAMES = (
    "screenings",
    "screening_signatures",
    "consent_documents",
    "consent_signatures",
    "consent_withdrawals",
    "instrument_administrations",
    "instrument_item_answers",
    "instrument_alerts",
    "instrument_alert_acknowledgements",
    "dosing_session_events",
    "register_containers",
    "register_movements",
    "register_counts",
    "register_discrepancies",
    "register_resolutions",
    "register_periods",
    "register_session_closes",
    "site_protocol_values",
    "therapy_notes",
    "therapy_note_addenda",
    "check_ins",
    "study_participants",
    "study_allocations",
    "unblinding_requests",
    "unblinding_approvals",
    "rating_assignments",
    "blinding_guesses",
)
