"""The pages sent to on-call physicians (issue 13): one row per page and channel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _Repository
from mdma_at.services.ports import Page

WAITING = ("pending", "retrying")
# The PostgreSQL advisory lock that serialises queueing pages across server processes: any
# constant no other lock of this database uses ("page" on a telephone keypad).
QUEUE_LOCK = 7243


class SqlPages(_Repository):
    def add(
        self,
        *,
        site_id: int,
        patient_id: int,
        session_id: int | None,
        safety_alert_id: int | None,
        alert_key: str,
        cause: str,
        message: str,
        channel: str,
        recipient: str,
        created_at: datetime,
    ) -> Page:
        page_id = self._insert(
            t.pages,
            site_id=site_id,
            patient_id=patient_id,
            session_id=session_id,
            safety_alert_id=safety_alert_id,
            alert_key=alert_key,
            cause=cause,
            message=message,
            channel=channel,
            recipient=recipient,
            status="pending",
            attempts=0,
            created_at=created_at,
            next_attempt_at=created_at,
        )
        page = self.get(page_id)
        assert page is not None
        return page

    def get(self, page_id: int) -> Page | None:
        row = self._db.execute(select(t.pages).where(t.pages.c.id == page_id)).first()
        return _page(row) if row else None

    def due(self, now: datetime) -> Sequence[Page]:
        rows = self._db.execute(
            select(t.pages)
            .where(t.pages.c.status.in_(WAITING), t.pages.c.next_attempt_at <= now)
            .order_by(t.pages.c.id)
        )
        return [_page(row) for row in rows]

    def claim(self, page_id: int, seen_next_attempt_at: datetime, until: datetime) -> bool:
        taken = self._db.execute(
            update(t.pages)
            .where(
                t.pages.c.id == page_id,
                t.pages.c.status.in_(WAITING),
                t.pages.c.next_attempt_at == seen_next_attempt_at,
            )
            .values(next_attempt_at=until)
        )
        return taken.rowcount == 1

    def hold_queue(self) -> None:
        # SQLite needs nothing: every transaction begins IMMEDIATE, holding the one write lock.
        if self._db.dialect.name == "postgresql":
            self._db.execute(select(func.pg_advisory_xact_lock(QUEUE_LOCK)))

    def update(self, page_id: int, **values: object) -> Page:
        self._db.execute(update(t.pages).where(t.pages.c.id == page_id).values(**values))
        page = self.get(page_id)
        assert page is not None
        return page

    def for_key(self, alert_key: str) -> Sequence[Page]:
        rows = self._db.execute(
            select(t.pages).where(t.pages.c.alert_key == alert_key).order_by(t.pages.c.id)
        )
        return [_page(row) for row in rows]

    def for_session(self, session_id: int) -> Sequence[Page]:
        rows = self._db.execute(
            select(t.pages).where(t.pages.c.session_id == session_id).order_by(t.pages.c.id)
        )
        return [_page(row) for row in rows]

    def for_safety_alerts(self, alert_ids: Sequence[int]) -> Sequence[Page]:
        if not alert_ids:
            return []
        rows = self._db.execute(
            select(t.pages)
            .where(or_(t.pages.c.safety_alert_id.in_(list(alert_ids))))
            .order_by(t.pages.c.id)
        )
        return [_page(row) for row in rows]


def _page(row: Any) -> Page:
    return Page(
        row.id,
        row.site_id,
        row.patient_id,
        row.session_id,
        row.safety_alert_id,
        row.alert_key,
        row.cause,
        row.message,
        row.channel,
        row.recipient,
        row.status,
        row.attempts,
        row.last_error,
        row.created_at,
        row.next_attempt_at,
        row.sent_at,
    )
