"""`mdma-at trial ...`: randomisation from the shell (docs/trials.md).

`simulate-randomisation` is pure (no settings, no database): it measures how well a method
balances the arms over simulated trials. `allocations` exports a study's allocation list and is
the unblinded statistician's alone: a blinded user gets exit 2 and nothing. Bad input: exit 2 and
`error: FIELD: reason` on stderr.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from mdma_at.domain.blinding import disclose
from mdma_at.domain.randomisation import Method, simulate
from mdma_at.entrypoints.cli.context import run_service, signed_in
from mdma_at.entrypoints.cli.output import bad_input, emit_json

if TYPE_CHECKING:
    from mdma_at.bootstrap import Container

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


AS = typer.Option(..., "--as", help="your username (password: MDMA_AT_PASSWORD or a prompt)")
STUDY = typer.Option(..., "--study", help="the study's number or code")


def _study_id(ctx: Container, study: str) -> int:
    with ctx.uow() as uow:
        found = uow.studies.by_code(study)
        if found is None and study.isdigit() and len(study) < 10:
            found = uow.studies.get(int(study))
    if found is None:
        bad_input("study", f"no study {study}")
    study_id: int = found.id
    return study_id


@trial_app.command("allocations")
def allocations_cmd(
    user: str = AS,
    study: str = STUDY,
    as_csv: bool = typer.Option(False, "--csv", help="print CSV"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """The allocation list with arms: the unblinded statistician only (anyone else: exit 2,
    audited). `emergency_unblinded` flags participants the analyses treat apart."""
    import csv
    import sys

    from mdma_at.services.trials.randomise import allocation_list

    ctx, principal = signed_in(user)
    lines = run_service(
        lambda: allocation_list(ctx.uow(), ctx.clock, principal, _study_id(ctx, study))
    )
    # the one disclosure of this export: the arms for the viewer the blind admits (ADR 0165)
    rows: list[dict[str, Any]] = disclose([
        {"position": x.position, "study_id": x.study_id, "stratum": x.stratum, "arm": x.arm,
         "randomised_at": x.allocated_at.isoformat(),
         "emergency_unblinded": x.emergency_unblinded}
        for x in lines
    ], principal)  # fmt: skip
    if as_json:
        emit_json(rows, principal)
        return
    fields = ["position", "study_id", "stratum", "arm", "randomised_at", "emergency_unblinded"]
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    for row in rows:
        typer.echo("  ".join(str(row[f]) for f in fields))


@trial_app.command("blinding")
def blinding_cmd(
    user: str = AS,
    study: str = STUDY,
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Bang's blinding index per arm at each time point, for the participants', therapists' and
    raters' guesses (2x5 format, 95% two-sided). The unblinded statistician only (anyone else:
    exit 2, audited)."""
    from mdma_at.analysis.blinding_assessment import blinding_by_time_point
    from mdma_at.services.trials import blinding

    ctx, principal = signed_in(user)
    study_id = _study_id(ctx, study)
    lines = run_service(lambda: blinding.guess_lines(ctx.uow(), ctx.clock, principal, study_id))
    with ctx.uow() as uow:
        found = uow.studies.get(study_id)
    assert found is not None
    groups = blinding_by_time_point(
        lines, blinding.time_points(found), blinding.ACTIVE, blinding.PLACEBO
    )
    rows = [
        {"time_point": g.time_point, "respondent": g.respondent, "n": g.n, "arms": g.arms,
         "missing": g.missing or None}
        for g in groups
    ]  # fmt: skip
    if as_json:
        emit_json(rows)
        return
    for g in groups:
        if g.missing:
            typer.echo(f"{g.time_point}  {g.respondent}  n={g.n}  {g.missing}")
        for arm in g.arms:
            estimate = "n/a" if arm["estimate"] is None else f"{arm['estimate']:.3f}"
            typer.echo(
                f"{g.time_point}  {g.respondent}  {arm['arm']}  n={arm['n']}  BI={estimate}  "
                f"{arm['reading']}"
            )


@trial_app.command("seal-schedule")
def seal_cmd(user: str = AS, study: str = STUDY) -> None:
    """The statistician seals the study's schedule with their seed (MDMA_AT_RANDOMISATION_SEED
    or a hidden prompt, so it is never in the shell's history); it is never shown again."""
    import os

    from mdma_at.services.trials.studies import seal_schedule

    ctx, principal = signed_in(user)
    seed = os.environ.get("MDMA_AT_RANDOMISATION_SEED") or typer.prompt("Seed", hide_input=True)
    sealed = run_service(
        lambda: seal_schedule(
            ctx.uow(), ctx.clock, ctx.schedule_seal, principal, _study_id(ctx, study), seed
        )
    )
    typer.echo(f"{sealed.code}: schedule sealed; commitment sha256 {sealed.seed_commitment}")


def register(app: typer.Typer) -> None:
    app.add_typer(trial_app, name="trial")
