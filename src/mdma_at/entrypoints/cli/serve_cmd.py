"""`mdma-at serve [--host 127.0.0.1] [--port 8000] [--workers 1]`."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import typer

from mdma_at.entrypoints.cli.context import container

#: How long a worker process may take to start before it is restarted (site default).
WORKER_START_SECONDS = 120


def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(
        1, "--workers", min=1, help="server processes; more than 1 wants PostgreSQL (ADR 0201)"
    ),
) -> None:
    """Serve the web app and the JSON API, in one process or several (`--workers N`: each
    process builds its own app from MDMA_AT_*; sessions, sign-in throttling, paging and live
    alerts all go through the database)."""
    import uvicorn  # the web stack loads only for `serve`, keeping every other command quick

    from mdma_at.entrypoints.api.app import create_app
    from mdma_at.entrypoints.api.observability import configure_logging

    # proxy_headers off: uvicorn would believe X-Forwarded-For from any local peer; the sign-in
    # throttle reads it only from MDMA_AT_TRUSTED_PROXIES (services.auth.client_address).
    # the access log would write each self-report link's token in clear (ADR 0141)
    app = create_app(container())  # also the check of every setting, before any worker starts
    metrics_dir = None
    if workers > 1:  # every worker writes its histograms here; /metrics sums them (ADR 0202)
        metrics_dir = tempfile.mkdtemp(prefix="mdma-at-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        _run(uvicorn, app, host, port, workers, configure_logging())
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _run(
    uvicorn: Any, app: object, host: str, port: int, workers: int, log_config: dict[str, Any]
) -> None:
    uvicorn.run(
        app if workers == 1 else "mdma_at.entrypoints.api.app:app_from_environment",
        factory=workers > 1,
        workers=workers,
        # Uvicorn restarts a worker that has not started within 5 s; a worker imports the whole
        # app, which takes longer than that on a busy 2-core server, and the restarts never end.
        timeout_worker_healthcheck=WORKER_START_SECONDS,
        host=host,
        port=port,
        proxy_headers=False,
        log_level="info",
        # JSON lines with the request id; link tokens redacted (ADR 0141)
        log_config=log_config,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
