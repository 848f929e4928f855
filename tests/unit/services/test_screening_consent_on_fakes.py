"""Use cases of consent versions, signatures and withdrawal, run on the in-memory adapters.

The bodies live in tests/integration/test_screening_consent.py; the tests that read the database
itself stay there only: test_consent_records_are_append_only_in_the_database.
"""

from integration.test_screening_consent import (  # noqa: F401  (collected here with the fake `ctx`)
    test_a_signature_needs_a_name_a_witness_at_the_site_and_a_time_not_in_the_future,
    test_a_therapist_may_not_publish_a_consent_document,
    test_an_outdated_consent_refuses_the_next_dosing_session_until_re_consent,
    test_consent_goes_from_none_to_current_to_outdated_to_current_to_withdrawn,
    test_document_versions_only_go_up_and_take_effect_in_order,
    test_withdrawal_needs_a_reason_and_a_consent_to_withdraw,
)
