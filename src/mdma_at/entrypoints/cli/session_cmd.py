"""`mdma-at session replay TIMELINE.json --json`: evaluate a dosing-session timeline.

Thin: read the JSON, parse it with the protocol's rules, fold the session engine over it, render.
Schema and rules: docs/session-replay.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from mdma_at.domain.dosing.replay import as_contract, replay
from mdma_at.domain.dosing.rules import DosingRules
from mdma_at.domain.dosing.timeline import parse_timeline
from mdma_at.entrypoints.cli.output import bad_input_exits, read_json_file, render
from mdma_at.protocols import get_protocol

session_app = typer.Typer(
    help="Dosing sessions: evaluate timelines under the protocol's rules.",
    no_args_is_help=True,
)


def _rules_for(name: str) -> DosingRules:
    return get_protocol(name).dosing


def _human(payload: dict[str, Any]) -> None:
    for d in payload["decisions"]:
        verdict = "ALLOWED" if d["allowed"] else "REFUSED"
        typer.echo(f"{d['t']}  {d['action']:<12} {verdict}")
        for reason in d["reasons"]:
            lifted = reason["lifted_by"]
            note = "" if lifted is None else f" (lifted by physician override: {lifted['reason']})"
            typer.echo(f"    - {reason['code']}: {reason['message']}{note}")
    for a in payload["alerts"]:
        typer.echo(
            f"{a['t']}  alert {a['level']} {a['direction']}: {a['parameter']} {a['value']} "
            f"(limit {a['limit']})"
        )
    if payload["vitals_due"]:
        last = payload["vitals_due"][-1]
        typer.echo(f"next vitals due {last['due']} ({last['reason']})")


@session_app.command("replay")
def replay_cmd(
    timeline: Path = typer.Argument(..., help="Timeline JSON file ('-' for stdin)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Replay TIMELINE under the protocol's rules: alerts, one decision per request, vitals due.

    Evaluation, not recording: past and future times are accepted and nothing is stored.
    """
    data = read_json_file(timeline, field="timeline")
    with bad_input_exits():
        result = replay(parse_timeline(data, _rules_for))
    render(as_contract(result), as_json, _human)


def register(app: typer.Typer) -> None:
    """Add the `session` command group to the root command."""
    app.add_typer(session_app, name="session")
