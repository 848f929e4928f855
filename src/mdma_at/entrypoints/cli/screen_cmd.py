"""`mdma-at screen INTAKE.json --json`: the eligibility verdict of one screening intake.

Thin: read the JSON, `parse_intake`, `screen` with the protocol's criteria and medication table,
render. Contract (DESIGN.md §5): JSON keys ``decision, earliest_baseline, criteria, washout,
warnings``; exit 0 for any decision (an `ineligible` verdict is an answer), 2 on bad input with one
line naming the field (``error: vitals.diastolic: 130 must be below the systolic 120``). Schema,
criteria and sources: docs/screening.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from mdma_at.domain.eligibility import parse_intake, screen
from mdma_at.entrypoints.cli.output import bad_input_exits, read_json_file, render
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol

_MARK = {"met": "ok", "not_met": "NOT MET", "needs_review": "REVIEW", "pending": "PENDING"}


def _human(payload: dict[str, Any]) -> None:
    typer.echo(f"decision: {payload['decision']}")
    if payload["earliest_baseline"]:
        typer.echo(f"earliest baseline: {payload['earliest_baseline']}")
    for criterion in payload["criteria"]:
        mark = _MARK[criterion["status"]]
        typer.echo(f"  [{mark}] {criterion['id']}: {criterion['reason']}")
    for plan in payload["washout"]:
        typer.echo(
            f"  washout {plan['medication']}: last dose {plan['last_dose']}, "
            f"t½ {plan['half_life_hours']} h, clear on {plan['clear_on']}"
        )
    for warning in payload["warnings"]:
        typer.echo(f"  WARNING {warning['message']}")


def screen_cmd(
    intake: Path = typer.Argument(..., help="Intake JSON file (docs/screening.md); - for stdin."),
    protocol: str = typer.Option(
        DEFAULT_PROTOCOL, "--protocol", help="Protocol whose criteria apply."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
) -> None:
    """Screen a candidate: every criterion with its reason and source, the washout plan and the
    decision (ineligible, needs_review, eligible_after_washout or eligible).

    Evaluation only: nothing is stored.
    """
    data = read_json_file(intake, "intake")
    with bad_input_exits():
        definition = get_protocol(protocol)
        result = screen(parse_intake(data), definition.eligibility, definition.medications)
    render(result.to_dict(), as_json, _human)


def register(app: typer.Typer) -> None:
    """Add the `screen` command to the root command."""
    app.command("screen")(screen_cmd)
