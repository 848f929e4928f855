"""`mdma-at trial ...`: randomisation from the shell (docs/trials.md).

`simulate-randomisation` is pure (no settings, no database): it measures how well a method
balances the arms over simulated trials. `allocations` exports a study's allocation list and is
the unblinded statistician's alone: a blinded user gets exit 2 and nothing. Bad input: exit 2 and
`error: FIELD: reason` on stderr.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from mdma_at.domain.randomisation import Method, simulate
from mdma_at.entrypoints.cli.output import bad_input, emit_json

if TYPE_CHECKING:
    pass

trial_app = typer.Typer(
    help="Trials: simulate randomisation, export the allocation list (unblinded only).",
    no_args_is_help=True,
)


def _block_sizes(text: str) -> list[int]:
    sizes: list[int] = []
    for part in text.split(","):
        token = part.strip()
        if not token.isascii() or not token.isdigit() or (len(token) > 1 and token[0] == "0"):
            bad_input("block_sizes", f"{part!r} is not a whole number (give e.g. 2,4)")
        if len(token) > 6:
            bad_input("block_sizes", f"{token} is too large")
        sizes.append(int(token))
    return sizes


@trial_app.command("simulate-randomisation")
def simulate_cmd(
    participants: int = typer.Option(..., "--participants", help="participants per trial"),
    strata: int = typer.Option(..., "--strata", help="equally likely strata"),
    block_sizes: str = typer.Option(..., "--block-sizes", help="e.g. 2,4 (mixed at random)"),
    method: Method = typer.Option(Method.BLOCKS, "--method"),
    trials: int = typer.Option(..., "--trials", help="simulated trials"),
    seed: int = typer.Option(..., "--seed"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Allocate N participants in T simulated trials; print the worst within-stratum imbalance
    and the mean absolute imbalance of the whole trial."""
    result = simulate(participants, strata, _block_sizes(block_sizes), trials, seed, method)
    if as_json:
        emit_json(result.to_dict())
        return
    typer.echo(
        f"{result.trials} trials, {method.value}: largest within-stratum imbalance "
        f"{result.max_stratum_imbalance}, mean |total imbalance| "
        f"{result.mean_abs_total_imbalance:.3f}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(trial_app, name="trial")
