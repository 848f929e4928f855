"""`mdma-at db upgrade | seed-demo | backup | restore`."""

from __future__ import annotations

from pathlib import Path

import typer

from mdma_at.demo.clinic import DEMO_PASSWORD, seed_demo_clinic
from mdma_at.domain.errors import Conflict
from mdma_at.entrypoints.cli.context import cli_actor, container
from mdma_at.entrypoints.cli.demo_cmd import MAX_PARTICIPANTS, MIN_PARTICIPANTS
from mdma_at.entrypoints.cli.output import EXIT_CHECK_FAILED, bad_input, bad_input_exits
from mdma_at.entrypoints.cli.simulated_trial import SITES, TRIAL_STATISTICIAN, seed_simulated_trial
from mdma_at.services.audit import mark_restore_point, sign_first_checkpoint

db_app = typer.Typer(
    help="Database: migrate, load the demo clinic, back up and restore.", no_args_is_help=True
)


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
    trial: int = typer.Option(
        0, "--trial", help="also a simulated trial of N participants, ended before today"
    ),
) -> None:
    """Load the demo clinic (one site, staff in every role, patients at every stage), and with
    --trial N first a simulated trial of N randomised participants at three sites of its own,
    in the past (`mdma-at demo`'s; its statistician is sim.stat)."""
    if trial and not MIN_PARTICIPANTS <= trial <= MAX_PARTICIPANTS:
        bad_input("trial", f"{trial} is not 0 (none) or {MIN_PARTICIPANTS} to {MAX_PARTICIPANTS:,}")
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
    if trial:
        # first, so the audit trail's times run forward: the simulated past, then today's clinic
        run = seed_simulated_trial(ctx.settings, trial, ctx.clock.now().date())
        typer.echo(
            f"simulated trial {run.study_code} loaded: {run.randomised} randomised at sites "
            f"SIM1-SIM{min(SITES, trial)}, {run.started:%Y-%m-%d} to {run.ended:%Y-%m-%d}"
        )
    staff = seed_demo_clinic(ctx.uow, ctx.clock, ctx.hasher, cli_actor(), ctx.schedule_seal)
    typer.echo(f"demo clinic loaded. Every demo account's password is {DEMO_PASSWORD!r}:")
    for username, roles in staff:
        typer.echo(f"  {username:<12} {roles}")
    if trial:
        typer.echo(f"  {TRIAL_STATISTICIAN:<12} statistician of the simulated trial")


@db_app.command("backup")
def backup_command(
    out: Path = typer.Option(..., "--out", help="the backup file to write (must not exist)"),
) -> None:
    """Write a consistent backup while the clinic keeps working (SQLite's online backup API;
    pg_dump's custom format for PostgreSQL). Keep it with the audit checkpoint log's copy."""
    from mdma_at.adapters.db.backup import backup

    ctx = container()
    with bad_input_exits():
        written = backup(ctx.engine, out)
    typer.echo(
        f"backup written to {written.path} ({written.kind}, {written.size:,} bytes, "
        f"revision {', '.join(sorted(written.revisions))})"
    )


@db_app.command("restore")
def restore_command(
    file: Path = typer.Argument(..., help="a backup written by `mdma-at db backup`"),
) -> None:
    """Restore a backup into the configured database, which must be empty; then check the
    restored audit trail against the checkpoint log and sign a restore point (ADR 0200).

    Refused with the reason, the database untouched: a file that is not a backup, a truncated or
    damaged one, one from a newer schema, a database that is not empty. Exit 1 when the restored
    trail contradicts the checkpoint log (the backup was altered or is another clinic's).
    """
    from mdma_at.adapters.db.backup import restore
    from mdma_at.adapters.db.migrate import head_revisions

    ctx = container()
    with bad_input_exits():
        restored = restore(file, ctx.engine)
    typer.echo(
        f"restored {file} ({restored.kind}, revision {', '.join(sorted(restored.revisions))})"
    )
    try:
        point = mark_restore_point(ctx.uow(), ctx.checkpoints, ctx.clock)
    except Conflict as problem:
        typer.echo(f"audit trail NOT verified: {problem}")
        raise typer.Exit(EXIT_CHECK_FAILED) from None
    typer.echo(f"audit trail verified: {point.events} events; restore point signed")
    if point.lost_events:
        typer.echo(
            f"the checkpoint log signed {point.lost_events} more events, written after this "
            "backup: those writes are not in it"
        )
    if restored.revisions != head_revisions():
        typer.echo("the backup is from an older schema: run `mdma-at db upgrade` next")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
