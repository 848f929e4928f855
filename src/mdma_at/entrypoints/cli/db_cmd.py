"""`mdma-at db upgrade | seed-demo`."""

from __future__ import annotations

import typer

from mdma_at.demo.clinic import DEMO_PASSWORD, seed_demo_clinic
from mdma_at.entrypoints.cli.context import cli_actor, container
from mdma_at.services.audit import sign_first_checkpoint

db_app = typer.Typer(help="Database: migrate, load the demo clinic.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration (SQLite or PostgreSQL, from MDMA_AT_DATABASE_URL).

    With MDMA_AT_MIGRATION_DATABASE_URL set (PostgreSQL), migrations run as that URL's role (the
    owner) and the server's role, from MDMA_AT_DATABASE_URL, gets only the grants it needs.
    """
    # Alembic only when needed
    from mdma_at.adapters.db.engine import make_engine
    from mdma_at.adapters.db.migrate import current_revisions, grant_runtime_role, upgrade

    ctx = container()
    owner_url = ctx.settings.migration_database_url
    engine = make_engine(owner_url) if owner_url else ctx.engine
    try:
        upgrade(engine)
        typer.echo(f"database at revision {', '.join(sorted(current_revisions(engine)))}")
        runtime_role = ctx.engine.url.username
        postgres = engine.dialect.name == "postgresql"
        if owner_url and postgres and runtime_role and runtime_role != engine.url.username:
            grant_runtime_role(engine, runtime_role)
            typer.echo(f"runtime role {runtime_role} granted only what the server needs")
    finally:
        if engine is not ctx.engine:
            engine.dispose()
    if sign_first_checkpoint(ctx.uow(), ctx.checkpoints, ctx.clock):
        typer.echo(f"first audit checkpoint signed in {ctx.checkpoints.directory}")


@db_app.command("seed-demo")
def seed_demo_command(
    if_empty: bool = typer.Option(False, "--if-empty", help="do nothing when staff exist"),
) -> None:
    """Load the demo clinic (one site, staff in every role, patients at every stage)."""
    ctx = container()
    with ctx.uow() as uow:
        has_staff = uow.staff.count() > 0
    if has_staff:
        if if_empty:
            typer.echo("demo clinic not loaded: the database already has staff")
            return
        typer.echo(
            "error: database: not empty; the demo clinic loads only into an empty one", err=True
        )
        raise typer.Exit(2)
    staff = seed_demo_clinic(ctx.uow, ctx.clock, ctx.hasher, cli_actor(), ctx.schedule_seal)
    typer.echo(f"demo clinic loaded. Every demo account's password is {DEMO_PASSWORD!r}:")
    for username, roles in staff:
        typer.echo(f"  {username:<12} {roles}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
