"""`/healthz` (the process answers) and `/readyz` (it can do its work): what a load balancer and
an operator ask of each server process (issue 18 item 4)."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from mdma_at.bootstrap import Container
from mdma_at.entrypoints.api.observability import metrics_response

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus exposition: request latency, pages, safety alerts, open sessions, the audit
    chain's length (counts only; restrict it to the scraper at the proxy, docs/operations.md)."""
    from mdma_at.adapters.db.metrics import ClinicCollector

    return metrics_response(ClinicCollector(request.app.state.container.engine))


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """200 when the database answers, its schema is this version's, and the audit checkpoint log
    can be written (every write signs one, ADR 0105); else 503 naming what is not."""
    checks = _checks(request.app.state.container)
    ready = all(result == "ok" for result in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


def _checks(container: Container) -> dict[str, str]:
    from mdma_at.adapters.db.migrate import current_revisions, head_revisions

    checks = {"database": "ok", "migrations": "ok", "audit_checkpoints": "ok"}
    try:
        with container.engine.connect() as db:
            db.execute(text("SELECT 1"))
        current = current_revisions(container.engine)
    except SQLAlchemyError as error:
        checks["database"] = f"unreachable: {type(error).__name__}"
        checks["migrations"] = "unknown: the database is unreachable"
    else:
        expected = head_revisions()
        if current != expected:
            found = ", ".join(sorted(current)) or "none"
            checks["migrations"] = (
                f"the database is at revision {found}, this version needs "
                f"{', '.join(sorted(expected))}: run `mdma-at db upgrade`"
            )
    directory = container.settings.checkpoint_directory()
    if not _writable(directory):
        checks["audit_checkpoints"] = f"{directory} cannot be written"
    return checks


def _writable(directory: os.PathLike[str]) -> bool:
    """The directory, or the nearest existing parent it would be created in, is writable."""
    path = os.fspath(directory)
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)
