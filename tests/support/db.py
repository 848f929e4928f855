"""What a database holds, for tests that prove a refusal stored nothing."""

from __future__ import annotations

from sqlalchemy import column, create_engine, func, inspect, select, table


def last_audit_action(database_url: str) -> str:
    """The action of the newest audit event (e.g. ``access_denied``)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            events = table("audit_events", column("id"), column("action"))
            newest = select(events.c.action).order_by(events.c.id.desc()).limit(1)
            return str(db.execute(newest).scalar_one())
    finally:
        engine.dispose()


def row_counts(database_url: str, *, ignore: tuple[str, ...] = ()) -> dict[str, int]:
    """The number of rows in every table but those in `ignore`, by table name.

    Take it before and after a refused request: equal counts prove that nothing was stored
    anywhere, not only in the table the request was aimed at. A refusal for lack of permission is
    itself audited (``access_denied``): ignore ``audit_events`` there and check that event apart.
    """
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            return {
                name: db.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in sorted(inspect(db).get_table_names())
                if name not in ignore
            }
    finally:
        engine.dispose()
