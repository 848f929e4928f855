"""Each site's changes of its protocol values: what `effective_protocol` reads (the latest row
per key wins, a reset is a row without a value)."""

from __future__ import annotations

from datetime import timedelta

from contract.conftest import UowFactory
from contract.seed import T0, audit, seed


def test_history_is_per_site_and_protocol_oldest_first(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        add = uow.site_protocol.add
        first = add(s.site_a.id, "mapp_v1", "hr_caution", 110.0, "tachycardia", s.physician.id,
                    "dr.a", T0)  # fmt: skip
        add(s.site_b.id, "mapp_v1", "hr_caution", 100.0, "other site", None, "ops", T0)
        add(s.site_a.id, "other_v1", "hr_caution", 90.0, "other protocol", None, "ops", T0)
        reset = add(s.site_a.id, "mapp_v1", "hr_caution", None, "back to the protocol",
                    s.physician.id, "dr.a", T0 + timedelta(hours=1))  # fmt: skip
        audit(uow, "site_protocol_changed")
        uow.commit()
    with new_uow() as uow:
        assert list(uow.site_protocol.history(s.site_a.id, "mapp_v1")) == [first, reset]
        assert reset.value is None and first.value == 110.0
        assert [c.value for c in uow.site_protocol.history(s.site_b.id, "mapp_v1")] == [100.0]
        assert list(uow.site_protocol.history(s.site_a.id, "unknown")) == []


def test_changes_are_append_only(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        assert not hasattr(uow.site_protocol, "update")
        assert not hasattr(uow.site_protocol, "delete")
