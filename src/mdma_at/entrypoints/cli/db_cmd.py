"""`mdma-at db upgrade | seed-demo`."""

from __future__ import annotations

import typer

from mdma_at.entrypoints.cli.context import cli_actor, container
from mdma_at.services.demo import DEMO_PASSWORD, seed_demo_clinic

db_app = typer.Typer(help="Database: migrate, load the demo clinic.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration (SQLite or PostgreSQL, from MDMA_AT_DATABASE_URL)."""
    from mdma_at.adapters.db.migrate import current_revisions, upgrade  # Alembic only when needed

    ctx = container()
    upgrade(ctx.engine)
    typer.echo(f"database at revision {', '.join(sorted(current_revisions(ctx.engine)))}")


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
    staff = seed_demo_clinic(ctx.uow, ctx.clock, ctx.hasher, cli_actor())
    typer.echo(f"demo clinic loaded. Every demo account's password is {DEMO_PASSWORD!r}:")
    for username, roles in staff:
        typer.echo(f"  {username:<12} {roles}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
