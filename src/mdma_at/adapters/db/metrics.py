"""What an operator's Prometheus reads from the database at each scrape (issue 18 item 4).

Counted in the database, not in a process: with several server workers (ADR 0201) every scrape
sees the same totals whichever worker answers it. Counts only, never a name or an identifier.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from mdma_at.adapters.db import tables as t


class ClinicCollector(Collector):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        readable = GaugeMetricFamily(
            "mdma_at_database_readable", "1 when the clinic's counts could be read, else 0"
        )
        try:
            counts = list(self._counts())
        except SQLAlchemyError:  # unreachable or not migrated: say so, keep the latency metrics
            readable.add_metric([], 0)
            yield readable
            return
        readable.add_metric([], 1)
        yield readable
        yield from counts

    def _counts(self) -> Iterator[GaugeMetricFamily]:
        pages = GaugeMetricFamily(
            "mdma_at_pages",
            "Pages to on-call physicians, by status and cause",
            labels=["status", "cause"],
        )
        alerts = GaugeMetricFamily(
            "mdma_at_safety_alerts", "Safety alerts raised by scores, by state", labels=["state"]
        )
        chain = GaugeMetricFamily("mdma_at_audit_chain_events", "Events in the audit hash chain")
        sessions = GaugeMetricFamily(
            "mdma_at_dosing_sessions_open", "Dosing sessions not yet closed"
        )
        acknowledged = select(t.instrument_alert_acknowledgements.c.alert_id)
        with self._engine.connect() as db:
            for status, cause, count in db.execute(
                select(t.pages.c.status, t.pages.c.cause, func.count())
                .group_by(t.pages.c.status, t.pages.c.cause)
                .order_by(t.pages.c.status, t.pages.c.cause)
            ):
                pages.add_metric([status, cause], count)
            raised = db.scalar(select(func.count()).select_from(t.instrument_alerts)) or 0
            closed = (
                db.scalar(
                    select(func.count())
                    .select_from(t.instrument_alerts)
                    .where(t.instrument_alerts.c.id.in_(acknowledged))
                )
                or 0
            )
            alerts.add_metric(["open"], raised - closed)
            alerts.add_metric(["acknowledged"], closed)
            # the head's last id is the chain's length (ids are 1..n, `audit verify` checks it)
            chain.add_metric([], db.scalar(select(t.audit_head.c.last_id)) or 0)
            sessions.add_metric(
                [],
                db.scalar(
                    select(func.count())
                    .select_from(t.dosing_sessions)
                    .where(t.dosing_sessions.c.closed_at.is_(None))
                )
                or 0,
            )
        yield from (pages, alerts, chain, sessions)
