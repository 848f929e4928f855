"""Use cases of session recording rules, run on the in-memory adapters.

The bodies live in tests/integration/test_session_recording.py; the tests that read the database
itself stay there only: test_two_writers_at_once_lose_nothing,
test_session_entries_are_append_only_in_the_database,
test_without_a_c_ssrs_administration_today_the_typed_value_does_not_count,
test_a_pregnancy_test_from_another_day_does_not_count.
"""

from integration.test_session_recording import (  # noqa: F401  (collected here with the fake `ctx`)
    session,
    test_a_new_medication_needing_a_washout_refuses_the_initial_dose,
    test_a_refused_request_is_a_stored_decision_not_an_error,
    test_a_therapist_ticking_the_sign_off_does_not_sign_for_the_physician,
    test_a_time_in_the_future_is_refused,
    test_a_visit_has_one_session,
    test_a_whole_session_is_recorded_with_the_rules_decisions,
    test_an_entry_before_the_session_started_is_refused,
    test_an_entry_earlier_than_the_previous_one_is_refused,
    test_an_open_safety_alert_refuses_the_initial_dose_until_acknowledged,
    test_bad_milligrams_are_refused,
    test_before_the_initial_dose_the_discharge_checklist_shows_nothing_met,
    test_consent_eligibility_and_washout_come_from_the_records_not_the_form,
    test_impossible_vitals_are_refused_and_nothing_is_stored,
    test_issue_9_bad_input_is_refused_and_nothing_is_stored,
    test_only_a_physician_may_override_and_the_denial_is_audited,
    test_replaying_a_recorded_session_gives_the_decisions_given_live,
    test_the_console_answers_as_of_the_entry_time_and_draws_the_band,
)
