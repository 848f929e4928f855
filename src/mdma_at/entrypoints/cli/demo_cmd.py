"""`mdma-at demo`: a whole simulated trial through the real system (issue 19; docs/simulation.md).

Without `--replicates`: a fresh database (the configured one when MDMA_AT_DATABASE_URL is set
and empty, else `DIR/mdma-at-demo.db`), migrated, a two-arm study set up, and every simulated
participant driven through the use cases (`mdma_at.simulation.trial_run`); then the primary
analysis on the data read back. With `--replicates N`: operating characteristics, simulated
directly (`mdma_at.simulation.operating`). Everything that can be checked is checked before
anything is written: exit 2 with `error: FIELD: reason`.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from mdma_at.entrypoints.cli.output import bad_input, emit_json
from mdma_at.entrypoints.cli.throwaway import no_disk_flush

if TYPE_CHECKING:
    from mdma_at.bootstrap import Container
    from mdma_at.domain.staff import Principal

DEFAULT_OUT = Path("mdma-at-demo")
DATABASE_FILE = "mdma-at-demo.db"
MIN_PARTICIPANTS = 4  # two per arm: the smallest trial the MMRM can compare
MAX_PARTICIPANTS = 100_000
MAX_SITES = 99
MAX_REPLICATES = 100_000


def demo_cmd(
    participants: int = typer.Option(104, "--participants", help="participants to randomise"),
    sites: int = typer.Option(3, "--sites", help="number of sites"),
    seed: int = typer.Option(1, "--seed", help="seed of every random draw (an integer)"),
    out: Path = typer.Option(DEFAULT_OUT, "--out", help="directory for the database and report"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    effect: float = typer.Option(
        1.0, "--effect", help="share of the published between-arm difference (0: a null trial)"
    ),
    force: bool = typer.Option(False, "--force", help="write into a directory that is not empty"),
    replicates: int = typer.Option(
        0, "--replicates", help="estimate power (type-I error with --effect 0) from N datasets"
    ),
) -> None:
    """Simulate a trial calibrated to MAPP2 through the real services, or, with --replicates,
    estimate the design's power by simulating datasets directly."""
    _check(participants, sites, seed, effect, replicates)
    if replicates:
        _operating(replicates, participants, seed, effect, as_json)
        return
    database_url = os.environ.get("MDMA_AT_DATABASE_URL")
    if database_url is None:
        _check_out(out, force)
    began = time.perf_counter()
    result = _simulate(out, database_url, participants, sites, seed, effect, as_json)
    result["seconds"] = round(time.perf_counter() - began, 2)
    if as_json:
        emit_json(result)
        return
    primary = result["primary"]
    typer.echo(
        f"{result['participants']} screened, {result['randomised']} randomised, "
        f"{result['completed']} completed; database in {out}"
    )
    for arm, means in primary["arms"].items():
        typer.echo(f"  {arm}: LS mean change {means['ls_mean_change']:.1f} (SE {means['se']:.2f})")
    d = primary["cohens_d"]
    typer.echo(
        f"  difference {primary['difference']:.1f} (95% CI {primary['ci_low']:.1f} to "
        f"{primary['ci_high']:.1f}), p = {primary['p']:.2g}, "
        + (
            f"Cohen's d = {d:.2f}"
            if d is not None
            else "Cohen's d not estimable (an arm has fewer than two participants at the endpoint)"
        )
    )
    typer.echo(f"{result['seconds']} s")


def _check(participants: int, sites: int, seed: int, effect: float, replicates: int) -> None:
    if not MIN_PARTICIPANTS <= participants <= MAX_PARTICIPANTS:
        bad_input(
            "participants", f"{participants} is not {MIN_PARTICIPANTS} to {MAX_PARTICIPANTS:,}"
        )
    if not 1 <= sites <= MAX_SITES:
        bad_input("sites", f"{sites} is not 1 to {MAX_SITES}")
    if sites > participants:
        bad_input("sites", f"{sites} sites for {participants} participants: some would be empty")
    if seed < 0 or seed >= 2**63:
        bad_input("seed", f"{seed} is not a whole number from 0 to 2^63 - 1")
    if not math.isfinite(effect) or not 0 <= effect <= 3:
        bad_input("effect", f"{effect} is not a number from 0 to 3")
    if not 0 <= replicates <= MAX_REPLICATES:
        bad_input("replicates", f"{replicates} is not 0 to {MAX_REPLICATES:,}")


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        bad_input("out", f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        bad_input("out", f"{out} exists and is not empty (give --force to write into it)")
    if not out.exists() and not out.parent.is_dir():
        bad_input("out", f"{out.parent} is not a directory")


def _progress(as_json: bool) -> Any:
    """A Rich progress bar of the simulated weeks, on stderr (stdout stays clean JSON)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} weeks"), TimeElapsedColumn(),
        console=console, transient=as_json, disable=not console.is_terminal,
    )  # fmt: skip


def _fresh_database(out: Path) -> str:
    """A new SQLite file in `out` (with --force, the previous demo's database is replaced)."""
    import shutil

    out.mkdir(parents=True, exist_ok=True)
    database = out / DATABASE_FILE
    for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(out / "audit-checkpoints", ignore_errors=True)
    return f"sqlite:///{database.resolve()}"


def _simulate(
    out: Path, database_url: str | None, participants: int, sites: int, seed: int,
    effect: float, as_json: bool,
) -> dict[str, Any]:  # fmt: skip
    from mdma_at.adapters.db.migrate import upgrade
    from mdma_at.bootstrap import bootstrap
    from mdma_at.config import get_settings
    from mdma_at.entrypoints.cli.context import cli_actor
    from mdma_at.services.audit import sign_first_checkpoint
    from mdma_at.simulation.clinic import STATISTICIAN, principal
    from mdma_at.simulation.readback import efficacy_table, primary_analysis, primary_summary
    from mdma_at.simulation.trial_run import run_trial, start_clock

    settings = get_settings()
    if database_url is None:
        settings = settings.model_copy(update={"database_url": _fresh_database(out)})
    clock = start_clock()
    ctx = bootstrap(settings, clock)
    if database_url is None:  # a demonstration, rebuilt on every run (ADR 0211)
        no_disk_flush(ctx)
    try:
        with ctx.uow() as uow:
            try:
                occupied = uow.staff.count() > 0
            except Exception:  # no tables yet: a new database
                occupied = False
        if occupied:
            bad_input("database", "not empty; the demo trial loads only into an empty database")
        upgrade(ctx.engine)
        sign_first_checkpoint(ctx.uow(), ctx.checkpoints, clock)
        with _progress(as_json) as bar:
            task = bar.add_task("simulated trial", total=1)

            def weeks(done: float, total: float) -> None:
                bar.update(task, completed=done, total=total)

            run = run_trial(
                ctx.uow, clock, ctx.hasher, ctx.schedule_seal, cli_actor(),
                participants=participants, sites=sites, seed=seed, effect=effect, progress=weeks,
            )  # fmt: skip
        statistician = principal(ctx.uow, STATISTICIAN)
        table = efficacy_table(ctx.uow(), clock, statistician, run.study_code)
        primary = primary_summary(primary_analysis(table))
        return {
            "participants": run.screened,
            "randomised": run.randomised,
            "completed": run.completed,
            "primary": primary,
            "report": _trial_report(ctx, statistician, run.study_code, out),
            "seconds": None,
        }
    finally:
        ctx.engine.dispose()


def _trial_report(ctx: Container, statistician: Principal, study_code: str, out: Path) -> str:
    """The trial report (`mdma-at report --study`), written beside the database as the unblinded
    statistician: the demo's last step, as it would be the trial's."""
    from mdma_at.entrypoints.web.reports.trial import build_trial_report

    with ctx.uow() as uow:
        study = uow.studies.by_code(study_code)
    assert study is not None  # the run just created it
    return str(build_trial_report(ctx, statistician, study.id, out))


def _operating(replicates: int, participants: int, seed: int, effect: float, as_json: bool) -> None:
    from mdma_at.simulation.operating import operating_characteristics

    with _progress(as_json) as bar:
        task = bar.add_task("replicates", total=replicates)
        result = operating_characteristics(
            replicates, participants, seed, effect, lambda n: bar.advance(task, n)
        ).as_dict()
    if as_json:
        emit_json(result)
        return
    label = "power" if effect else "type-I error"
    typer.echo(
        f"{label}: {result['rate']:.3f} (95% CI {result['ci_low']:.3f} to {result['ci_high']:.3f})"
        f" from {replicates} simulated trials of {participants} participants, two-sided "
        f"alpha {result['alpha']}; mean difference {result['mean_difference']:.1f} points"
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)


__all__ = ["demo_cmd", "register"]
