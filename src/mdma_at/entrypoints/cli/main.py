"""`mdma-at`: the root command. Each command module registers its own commands."""

from __future__ import annotations

import typer

from mdma_at.entrypoints.cli import (
    analyze_cmd,
    audit_cmd,
    db_cmd,
    register_cmd,
    score_cmd,
    screen_cmd,
    serve_cmd,
    session_cmd,
    user_cmd,
)

app = typer.Typer(
    name="mdma-at",
    help="mdma-at: the open clinic and trial platform for MDMA-assisted therapy. "
    "Clinical decision support for supervised, licensed settings only; it never replaces the "
    "clinician's judgment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# One line per command module; each module exposes `register(app)`.
for module in (
    analyze_cmd,
    db_cmd,
    audit_cmd,
    user_cmd,
    serve_cmd,
    score_cmd,
    session_cmd,
    screen_cmd,
    register_cmd,
):
    module.register(app)
