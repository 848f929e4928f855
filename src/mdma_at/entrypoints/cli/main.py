"""`mdma-at`: the root command. Each command module registers its own commands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from mdma_at.entrypoints.cli import (
    analyze_cmd,
    audit_cmd,
    db_cmd,
    demo_cmd,
    export_cmd,
    register_cmd,
    report_cmd,
    score_cmd,
    screen_cmd,
    serve_cmd,
    session_cmd,
    trial_cmd,
    user_cmd,
)
from mdma_at.entrypoints.cli.context import close_containers
from mdma_at.entrypoints.cli.output import exit_code_of


class ContractGroup(TyperGroup):
    """The root command. Every run, from the shell or from click's test runner, goes through
    `exit_code_of`, so every way a command can end maps to DESIGN.md §5's exit codes."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = exit_code_of(
                lambda: super(ContractGroup, self).main(
                    args, prog_name, complete_var, standalone_mode=False, **extra
                )
            )
        finally:
            close_containers()
        if standalone_mode:
            raise SystemExit(code)
        return code


app = typer.Typer(
    name="mdma-at",
    help="mdma-at: the open clinic and trial platform for MDMA-assisted therapy. "
    "Clinical decision support for supervised, licensed settings only; it never replaces the "
    "clinician's judgment.",
    cls=ContractGroup,
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
    trial_cmd,
    export_cmd,
    report_cmd,
    demo_cmd,
):
    module.register(app)
