"""`mdma-at score INSTRUMENT --items a,b,c,... --json`: score one administration of an instrument.

Thin: parse the answers, call the pure `score` with the protocol's definition, render.
Contract (DESIGN.md §5): JSON keys ``instrument, total, severity, diagnosis, provisional,
above_cutoff, prorated, missing_items, clusters, alerts``; exit 0 when scored, 2 on bad input with
one line naming the item (``error: items[3]: 5 is outside 0–4``). Rules and sources:
docs/instruments.md.
"""

from __future__ import annotations

from typing import Any

import typer

from mdma_at.domain.instruments import parse_answers, score
from mdma_at.entrypoints.cli.output import bad_input, bad_input_exits, render
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol

YES = frozenset({"yes", "y", "1", "true"})
NO = frozenset({"no", "n", "0", "false"})


def _criterion(field: str, text: str | None) -> bool | None:
    if text is None:
        return None
    token = text.strip().lower()
    if token in YES:
        return True
    if token in NO:
        return False
    bad_input(field, f"{text!r} is not yes or no")


def _human(payload: dict[str, Any], *, name: str, reasons: tuple[str, ...]) -> None:
    """The contract payload in words, with the reasons the JSON leaves out."""
    total = "no total" if payload["total"] is None else f"total {payload['total']}"
    if payload["prorated"]:
        missing = ", ".join(str(n) for n in payload["missing_items"])
        total += f" (prorated: item(s) {missing} missing)"
    severity = payload["severity"] or "no severity"
    typer.echo(f"{name}: {total}, {severity}")
    if payload["above_cutoff"] is not None:
        side = "at or above" if payload["above_cutoff"] else "below"
        typer.echo(f"  {side} the cut-off")
    diagnosis = "provisional diagnosis" if payload["provisional"] else "diagnosis"
    if payload["diagnosis"] is not None:
        typer.echo(f"  {diagnosis}: {'met' if payload['diagnosis'] else 'not met'}")
    elif payload["clusters"]:
        typer.echo(f"  {diagnosis}: cannot be determined")
    if payload["missing_items"] and not payload["prorated"]:
        missing = ", ".join(str(n) for n in payload["missing_items"])
        typer.echo(f"  missing item(s): {missing}")
    for code, cluster in payload["clusters"].items():
        met = {True: "met", False: "not met", None: "undecided"}[cluster["met"]]
        subtotal = "—" if cluster["total"] is None else cluster["total"]
        typer.echo(
            f"  cluster {code} ({cluster['name']}): subtotal {subtotal}, "
            f"{cluster['present']} present (needs {cluster['required']}): {met}"
        )
    for alert in payload["alerts"]:
        typer.echo(f"  ALERT {alert['level']}: {alert['reason']}")
    typer.echo("Why:")
    for reason in reasons:
        typer.echo(f"  - {reason}")


def score_cmd(
    instrument: str = typer.Argument(..., help="pcl5, phq9, gad7, cssrs-screen or caps5."),
    items: str | None = typer.Option(
        None,
        "--items",
        help="Answers in form order, comma-separated: ratings, or yes/no (1/0) for "
        "cssrs-screen (items 1–6 and 6b). An empty slot or NA is a missing answer.",
    ),
    criterion_f: str | None = typer.Option(
        None, "--criterion-f", help="CAPS-5 only: duration > 1 month (yes|no)."
    ),
    criterion_g: str | None = typer.Option(
        None, "--criterion-g", help="CAPS-5 only: distress or impairment (yes|no)."
    ),
    protocol: str = typer.Option(
        DEFAULT_PROTOCOL, "--protocol", help="Protocol whose definitions apply."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Score INSTRUMENT from its item answers: total, severity, diagnosis, cut-off, alerts.

    Evaluation only: nothing is stored.
    """
    if items is None:
        bad_input("items", "required: the answers in form order, e.g. --items 0,1,2")
    f = _criterion("criterion_f", criterion_f)
    g = _criterion("criterion_g", criterion_g)
    with bad_input_exits():
        definition = get_protocol(protocol).instruments.get(instrument)
        answers = parse_answers(definition, items.split(","))
        result = score(definition, answers, criterion_f=f, criterion_g=g)
    render(
        result.to_dict(),
        as_json,
        lambda payload: _human(payload, name=definition.name, reasons=result.reasons),
    )


def register(app: typer.Typer) -> None:
    """Add the `score` command to the root command."""
    app.command("score")(score_cmd)
