"""Each site's changes of its protocol values (issue 12, item 4): append-only and sealed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _Repository
from mdma_at.services.ports import SiteValueChange


class SqlSiteProtocol(_Repository):
    def add(
        self,
        site_id: int,
        protocol: str,
        key: str,
        value: float | None,
        reason: str,
        changed_by_id: int | None,
        changed_by: str,
        changed_at: datetime,
    ) -> SiteValueChange:
        values: dict[str, Any] = {
            "site_id": site_id,
            "protocol": protocol,
            "key": key,
            "value": value,
            "reason": reason,
            "changed_by_id": changed_by_id,
            "changed_by": changed_by,
            "changed_at": changed_at,
        }
        return SiteValueChange(self._insert(t.site_protocol_values, **values), **values)

    def history(self, site_id: int, protocol: str) -> Sequence[SiteValueChange]:
        rows = self._db.execute(_HISTORY, {"site_id": site_id, "protocol": protocol})
        return [SiteValueChange(**row._mapping) for row in rows]


# Read by every session entry (the site's rules): built once, its compiled form reused.
_C = t.site_protocol_values.c
_HISTORY = (
    select(t.site_protocol_values)
    .where(_C.site_id == bindparam("site_id"), _C.protocol == bindparam("protocol"))
    .order_by(_C.id)
)
