"""Use cases of screening sign, override and the first-dosing gate, run on the in-memory adapters.

The bodies live in tests/integration/test_screening_service.py.
"""

from integration.test_screening_service import (  # noqa: F401  (collected here with the fake `ctx`)
    enrolled,
    test_a_physician_signs_the_verdict_as_computed,
    test_a_screening_is_stored_with_the_intake_the_verdict_who_and_when,
    test_an_ineligible_or_unsigned_review_verdict_keeps_the_first_dosing_session_closed,
    test_an_ineligible_verdict_is_stored_like_any_other,
    test_an_override_needs_a_reason_and_is_audited_with_it,
    test_bad_input_is_refused_naming_the_field_and_nothing_is_stored,
    test_only_a_physician_signs_and_a_refusal_is_audited,
    test_only_the_most_recent_screening_can_be_signed,
    test_other_visits_are_not_gated,
    test_screenings_are_invisible_across_sites,
    test_the_chart_panel_shows_the_latest_verdict_consent_and_gate,
    test_the_first_dosing_session_cannot_be_set_before_the_washout_clears,
    test_the_first_dosing_session_is_refused_until_a_signed_eligible_verdict,
    test_the_first_dosing_session_needs_current_consent,
)
