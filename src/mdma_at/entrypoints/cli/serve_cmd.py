"""`mdma-at serve [--host 127.0.0.1] [--port 8000] [--workers 1]`."""

from __future__ import annotations

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
    from uvicorn.config import LOGGING_CONFIG

    from mdma_at.entrypoints.api.app import create_app
    from mdma_at.entrypoints.api.redaction import server_log_config

    # proxy_headers off: uvicorn would believe X-Forwarded-For from any local peer; the sign-in
    # throttle reads it only from MDMA_AT_TRUSTED_PROXIES (services.auth.client_address).
    # the access log would write each self-report link's token in clear (ADR 0141)
    app = create_app(container())  # also the check of every setting, before any worker starts
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
        log_config=server_log_config(LOGGING_CONFIG),
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
