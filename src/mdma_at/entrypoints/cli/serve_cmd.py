"""`mdma-at serve [--host 127.0.0.1] [--port 8000]`."""

from __future__ import annotations

import typer

from mdma_at.entrypoints.cli.context import container


def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """Serve the web app and the JSON API."""
    import uvicorn  # the web stack loads only for `serve`, keeping every other command quick
    from uvicorn.config import LOGGING_CONFIG

    from mdma_at.entrypoints.api.app import create_app
    from mdma_at.entrypoints.api.redaction import server_log_config

    # proxy_headers off: uvicorn would believe X-Forwarded-For from any local peer; the sign-in
    # throttle reads it only from MDMA_AT_TRUSTED_PROXIES (services.auth.client_address).
    # the access log would write each self-report link's token in clear (ADR 0141)
    uvicorn.run(
        create_app(container()),
        host=host,
        port=port,
        proxy_headers=False,
        log_level="info",
        log_config=server_log_config(LOGGING_CONFIG),
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
