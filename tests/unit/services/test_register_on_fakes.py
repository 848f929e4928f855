"""Use cases of register movements, run on the in-memory adapters.

The bodies live in tests/integration/test_register.py; the tests that read the database itself
stay there only: test_bad_input_is_refused_and_nothing_is_stored,
test_nothing_is_dated_in_a_closed_period, test_an_expired_lot_is_not_dispensed,
test_the_database_refuses_to_rewrite_the_ledger,
test_a_correction_reverses_an_entry_which_stays_on_the_books.
"""

from integration.test_register import (  # noqa: F401  (collected here with the fake `ctx`)
    test_a_blinded_clinician_sees_kits_not_contents,
    test_a_count_that_disagrees_opens_a_discrepancy_until_resolved,
    test_a_transfer_is_sent_and_received_as_two_linked_entries,
    test_receipt_to_reconciliation_with_a_witnessed_waste,
)
