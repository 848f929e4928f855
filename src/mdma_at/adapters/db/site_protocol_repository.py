"""Each site's changes of its protocol values (issue 12, item 4): append-only and sealed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

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
        c = t.site_protocol_values.c
        rows = self._db.execute(
            select(t.site_protocol_values)
            .where(c.site_id == site_id, c.protocol == protocol)
            .order_by(c.id)
        )
        return [SiteValueChange(**row._mapping) for row in rows]
