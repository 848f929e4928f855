"""The research export's use case on the in-memory adapters.

The bodies live in tests/integration/test_research_export_service.py.
"""

from integration.test_research_export_service import (  # noqa: F401  (collected here with the fake `ctx`)
    test_a_user_without_export_permission_is_refused_audited_and_nothing_stored,
    test_keys_are_drawn_once_and_kept_for_every_later_export,
    test_only_the_patients_of_the_users_exporting_sites_are_included,
)
