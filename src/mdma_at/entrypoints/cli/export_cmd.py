"""`mdma-at export ...`: data that leaves the system (docs/exports.md).

Each export runs as a staff member (`--as USER`, password from MDMA_AT_PASSWORD or a prompt),
is audited, and holds only what that user may read: arms only for the unblinded. Refused with
exit 2 and `error: FIELD: reason`, before anything is written: an output directory that exists
and is not empty (without `--force`), an unknown study, a user without export permission.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from mdma_at.entrypoints.cli.context import run_service, signed_in
from mdma_at.entrypoints.cli.output import bad_input, emit_json
from mdma_at.interop.research.formats import Format

export_app = typer.Typer(
    help="Exports: CDISC SDTM datasets of a study, the de-identified research set.",
    no_args_is_help=True,
)

AS = typer.Option(..., "--as", help="your username (password: MDMA_AT_PASSWORD or a prompt)")
OUT = typer.Option(..., "--out", help="the directory to write into (created if missing)")
FORCE = typer.Option(False, "--force", help="write into a directory that is not empty")
JSON = typer.Option(False, "--json", help="print JSON")


def _check_out(out: Path, force: bool) -> None:
    """The output directory: new, empty, or not empty with --force (files of the same name are
    replaced); never a file."""
    if out.exists() and not out.is_dir():
        bad_input("out", f"{out} is a file, not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        bad_input("out", f"{out} exists and is not empty (give --force to write into it)")


def _writing(out: Path, write: Callable[[], list[Path]]) -> list[Path]:
    """Write; a directory that cannot be created or written (permissions, a full disk) is
    bad input on `out`, not a defect."""
    try:
        return write()
    except OSError as error:
        bad_input("out", f"cannot write into {out}: {error.strerror or error}")


def _report(written: list[Path], rows: dict[str, int], as_json: bool) -> None:
    if as_json:
        emit_json({"files": [str(p) for p in written], "rows": rows})
        return
    for name, count in rows.items():
        typer.echo(f"{name:<12} {count:>7} rows")
    typer.echo(f"{len(written)} files written to {written[0].parent}")


@export_app.command("sdtm")
def sdtm_cmd(
    study: str = typer.Option(..., "--study", help="the study's code"),
    out: Path = OUT,
    force: bool = FORCE,
    user: str = AS,
    as_json: bool = JSON,
) -> None:
    """A study's SDTMIG 3.3 datasets as SAS transport v5 (.xpt) and CSV, with define.xml."""
    from mdma_at.interop.sdtm import datasets, files
    from mdma_at.services.exports.study import study_export

    _check_out(out, force)
    ctx, principal = signed_in(user)
    export = run_service(lambda: study_export(ctx.uow(), ctx.clock, principal, study))
    built = datasets.build(export)
    written = _writing(out, lambda: files.write(export, built, out))
    _report(written, {d.name: len(d.frame) for d in built}, as_json)


@export_app.command("research")
def research_cmd(
    out: Path = OUT,
    form: Format = typer.Option(Format.CSV, "--format", help="csv or parquet"),
    force: bool = FORCE,
    user: str = AS,
    as_json: bool = JSON,
) -> None:
    """The de-identified research set (HIPAA Safe Harbor): tidy tables for the analyses."""
    from mdma_at.interop.research import files, tables
    from mdma_at.services.exports.research import research_export

    _check_out(out, force)
    ctx, principal = signed_in(user)
    export = run_service(lambda: research_export(ctx.uow(), ctx.clock, principal))
    built = tables.build(export)
    written = _writing(out, lambda: files.write(built, out, form))
    _report(written, {name: len(frame) for name, frame in built.items()}, as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
