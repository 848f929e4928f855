"""Writing a database that is rebuilt, never recovered, without the disk flush (ADRs 0211, 0219)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mdma_at.bootstrap import Container


def no_disk_flush(ctx: Container) -> None:
    """Commits through `ctx` (PRAGMA synchronous = OFF) and the audit checkpoints it signs skip
    the disk flush, which makes a run of thousands of small transactions many times faster.
    Only for a database whose remedy after a crash is to make it again: `mdma-at demo`'s own
    file, and the one-time seed of an empty demo clinic. SQLite only; other databases keep
    their own settings."""
    from sqlalchemy import event

    if ctx.engine.dialect.name != "sqlite":
        return
    ctx.checkpoints.durable = False

    @event.listens_for(ctx.engine, "connect")
    def _fast(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.close()
