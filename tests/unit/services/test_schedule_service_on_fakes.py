"""Use cases of schedule moves, held visits, deviations, withdrawal, run on the in-memory adapters.

The bodies live in tests/integration/test_schedule_service.py.
"""

from integration.test_schedule_service import (  # noqa: F401  (collected here with the fake `ctx`)
    enrolled,
    test_a_second_active_enrolment_is_refused,
    test_a_visit_cannot_be_recorded_in_the_future,
    test_a_visit_held_a_day_outside_its_window_records_a_protocol_deviation,
    test_a_visit_held_inside_its_window_records_no_deviation,
    test_a_visit_moved_before_its_predecessor_is_refused_and_nothing_changes,
    test_an_unknown_protocol_is_refused,
    test_enrolment_generates_every_visit_with_target_and_window,
    test_enrolment_in_the_future_is_refused_and_nothing_is_written,
    test_moving_a_dosing_session_replans_later_visits_and_names_what_cannot_fit,
    test_withdrawal_keeps_held_visits_and_stops_future_ones,
)
