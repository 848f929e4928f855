"""The non-drug course of care (issue 14): signed notes of preparation and integration sessions,
and the daily check-ins after each dosing session."""
