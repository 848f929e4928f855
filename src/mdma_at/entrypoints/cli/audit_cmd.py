"""`mdma-at audit verify`: exit 0 on an intact trail, 1 naming the first problem found."""

from __future__ import annotations

import typer

from mdma_at.entrypoints.cli.context import cli_actor, container
from mdma_at.entrypoints.cli.output import EXIT_CHECK_FAILED, bad_input_exits, emit_json
from mdma_at.services.audit import accept_unsigned_events, verify_audit_chain

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def verify_command(as_json: bool = typer.Option(False, "--json")) -> None:
    """Check the audit trail against its signed checkpoints and every append-only row.

    Recomputes each event's hash, compares the chain with the checkpoints kept outside the
    database (truncation, rewriting, forged appends), the stored head with the chain's end, and
    each append-only row with the digest sealed when it was written; an intact trail gets a new
    checkpoint.
    """
    ctx = container()
    verdict = verify_audit_chain(ctx.uow(), ctx.checkpoints, ctx.clock)
    if as_json:
        emit_json(
            {
                "intact": verdict.intact,
                "events_checked": verdict.events_checked,
                "rows_checked": verdict.rows_checked,
                "checkpoints_checked": verdict.checkpoints_checked,
                "first_broken_event": verdict.first_broken_id,
                "reason": verdict.reason,
                "problems": list(verdict.problems),
            }
        )
    elif verdict.intact:
        typer.echo(
            f"audit chain intact: {verdict.events_checked} events, {verdict.rows_checked} "
            f"append-only rows and {verdict.checkpoints_checked} checkpoints verified"
        )
    else:
        where = f" at event {verdict.first_broken_id}" if verdict.first_broken_id else ""
        typer.echo(f"audit trail BROKEN{where}: {verdict.reason}")
        for problem in verdict.problems[1:20]:
            typer.echo(f"  also: {problem}")
    if not verdict.intact:
        raise typer.Exit(EXIT_CHECK_FAILED)


@audit_app.command("accept-unsigned")
def accept_unsigned_command(
    reason: str = typer.Option(..., "--reason", help="how the events were checked as genuine"),
) -> None:
    """Accept events no checkpoint signed (the server stopped between a commit and its
    checkpoint), when that is the trail's only problem; audited with the reason."""
    ctx = container()
    with bad_input_exits():
        ranges = accept_unsigned_events(ctx.uow(), ctx.checkpoints, ctx.clock, cli_actor(), reason)
    accepted = ", ".join(f"{first}..{last}" for first, last in ranges)
    typer.echo(f"accepted unsigned events {accepted}; the whole chain is signed again")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
