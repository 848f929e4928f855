"""`mdma-at export fhir | sdtm | research`: data that leaves the system (docs/exports.md,
docs/fhir.md).

Each export runs as a staff member (`--as USER`, by default the shell login, as the issue's
contract `mdma-at export sdtm --study ID --out DIR` has no `--as`; password from MDMA_AT_PASSWORD
or a prompt),
is audited, and holds only what that user may read: arms only for the unblinded. Refused with
exit 2 and `error: FIELD: reason`, before anything is written: an output directory that exists
and is not empty (without `--force`) or cannot be written, an unknown study, a date that does
not parse or a period that ends before it starts, a user without export permission.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from pathlib import Path

import typer

from mdma_at.entrypoints.cli.context import run_service, signed_in
from mdma_at.entrypoints.cli.output import bad_input, bad_input_exits, emit_json
from mdma_at.interop.research.formats import Format

export_app = typer.Typer(
    help="Exports: FHIR Bulk Data, a study's CDISC SDTM datasets, the de-identified research set.",
    no_args_is_help=True,
)

AS = typer.Option(
    "",
    "--as",
    help="your username (default: your shell login; password: MDMA_AT_PASSWORD or a prompt)",
)
OUT = typer.Option(..., "--out", help="the directory to write into (created if missing)")
FORCE = typer.Option(False, "--force", help="write into a directory that is not empty")
JSON = typer.Option(False, "--json", help="print JSON")


def _check_out(out: Path, force: bool) -> None:
    """The output directory: new, empty, or not empty with --force (files of the same name are
    replaced); never a file. Checked before the export, which is audited."""
    if out.exists() and not out.is_dir():
        bad_input("out", f"{out} is a file, not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        bad_input("out", f"{out} exists and is not empty (give --force to write into it)")
    nearest = next(p for p in (out, *out.absolute().parents) if p.exists())
    if not nearest.is_dir() or not os.access(nearest, os.W_OK | os.X_OK):
        bad_input("out", f"cannot write into {nearest}")


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
    ctx, principal = signed_in(user or getpass.getuser())
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
    ctx, principal = signed_in(user or getpass.getuser())
    export = run_service(lambda: research_export(ctx.uow(), ctx.clock, principal))
    built = tables.build(export)
    written = _writing(out, lambda: files.write(built, out, form))
    _report(written, {name: len(frame) for name, frame in built.items()}, as_json)


@export_app.command("fhir")
def fhir_cmd(
    out: Path = typer.Option(..., "--out", help="directory for the NDJSON files and manifest"),
    since: str = typer.Option("", "--since", help="YYYY-MM-DD: records from this day on"),
    until: str = typer.Option("", "--until", help="YYYY-MM-DD: records up to this day"),
    user: str = AS,
    force: bool = typer.Option(False, "--force", help="write into a non-empty directory"),
    as_json: bool = typer.Option(False, "--json", help="print the manifest as JSON"),
) -> None:
    """Write one NDJSON file per FHIR resource type and the Bulk Data manifest into OUT."""
    from datetime import UTC, datetime

    from mdma_at.interop.fhir.export import write_bulk
    from mdma_at.services.exports.records import clinic_export, export_window

    with bad_input_exits():  # bad dates are refused before the password is asked
        window = export_window(since, until, datetime.now(UTC).date())
    _check_out(out, force)
    ctx, principal = signed_in(user or getpass.getuser())
    now = ctx.clock.now()
    records = run_service(lambda: clinic_export(ctx.uow(), ctx.clock, principal, window))
    request = "mdma-at export fhir"  # the manifest's kick-off request, as typed
    for name, day in (("since", window.since), ("until", window.until)):
        if day is not None:
            request += f" --{name} {day}"
    try:
        out.mkdir(parents=True, exist_ok=True)
        for stale in (*out.glob("*.ndjson"), out / "manifest.json"):
            stale.unlink(missing_ok=True)  # only with --force: files of an earlier export
        manifest = write_bulk(records, out, now, request)
    except OSError as failed:  # a file system that refuses what the checks above allowed
        bad_input("out", f"cannot write into {out}: {failed.strerror or failed}")
    if as_json:
        emit_json(manifest)
        return
    for item in manifest["output"]:
        typer.echo(f"{item['url']:<34} {item['count']:>7}")
    typer.echo(f"{len(records)} patients exported to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
