"""`mdma-at audit verify`: exit 0 on an intact chain, 1 naming the first broken event."""

from __future__ import annotations

import typer

from mdma_at.entrypoints.cli.context import container
from mdma_at.entrypoints.cli.output import EXIT_CHECK_FAILED, emit_json
from mdma_at.services.audit import verify_audit_chain

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def verify_command(as_json: bool = typer.Option(False, "--json")) -> None:
    """Recompute the hash chain of every audit event."""
    verdict = verify_audit_chain(container().uow())
    if as_json:
        emit_json(
            {
                "intact": verdict.intact,
                "events_checked": verdict.events_checked,
                "first_broken_event": verdict.first_broken_id,
                "reason": verdict.reason,
            }
        )
    elif verdict.intact:
        typer.echo(f"audit chain intact: {verdict.events_checked} events verified")
    else:
        typer.echo(
            f"audit chain BROKEN at event {verdict.first_broken_id}: {verdict.reason} "
            f"({verdict.events_checked} events before it verified)"
        )
    if not verdict.intact:
        raise typer.Exit(EXIT_CHECK_FAILED)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
