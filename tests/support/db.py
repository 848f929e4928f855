"""What a database holds, for tests that prove a refusal stored nothing."""

from __future__ import annotations

from sqlalchemy import create_engine, func, inspect, select, table


def row_counts(database_url: str) -> dict[str, int]:
    """The number of rows in every table, by table name.

    Take it before and after a refused request: equal counts prove that nothing was stored
    anywhere (not only in the table the request was aimed at), audit events included.
    """
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            return {
                name: db.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in sorted(inspect(db).get_table_names())
            }
    finally:
        engine.dispose()
