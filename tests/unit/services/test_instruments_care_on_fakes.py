"""Use cases of measures and safety alerts, run on the in-memory adapters.

The bodies live in tests/integration/test_instruments_care.py; the tests that read the database
itself stay there only: test_acknowledging_needs_the_action_taken_and_a_physician_at_the_site,
test_a_caps5_item_out_of_range_is_refused_naming_the_item_and_nothing_is_stored,
test_bad_clinician_input_is_refused_with_the_field_and_nothing_is_stored.
"""

from integration.test_instruments_care import (  # noqa: F401  (collected here with the fake `ctx`)
    enrolled,
    test_a_coordinator_cannot_enter_clinician_ratings,
    test_a_high_risk_cssrs_screen_entered_by_a_clinician_raises_an_alert,
    test_a_low_risk_cssrs_screen_raises_no_alert,
    test_a_physician_acknowledges_with_the_action_taken_and_the_alert_leaves_the_queue,
    test_a_withdrawn_patient_leaves_the_due_list,
    test_caps5_with_criteria_f_and_g_is_stored_with_its_diagnosis,
    test_phq9_item9_above_zero_raises_an_open_critical_alert_for_the_physician,
    test_the_clinic_due_list_shows_overdue_instruments_until_they_are_recorded,
    test_the_trajectory_marks_change_from_the_baseline_caps5,
)
