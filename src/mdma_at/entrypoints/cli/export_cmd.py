"""`mdma-at export fhir`: the clinic's records as FHIR Bulk Data NDJSON (docs/fhir.md).

The export runs as a staff member (`--as USER`, default the shell login; password from
`MDMA_AT_PASSWORD` or a prompt), holds only what that user may read, and is audited. Every
refusal comes before anything is written: a date that does not parse or a period that ends
before it starts, an output directory that exists and is not empty (without `--force`), a wrong
password, a user without the export permission: exit 2 and `error: FIELD: reason` on stderr.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import typer

from mdma_at.entrypoints.cli.context import run_service, signed_in
from mdma_at.entrypoints.cli.output import bad_input, bad_input_exits, emit_json

export_app = typer.Typer(
    help="Records that leave the system: FHIR Bulk Data.", no_args_is_help=True
)


@export_app.command("fhir")
def fhir_cmd(
    out: Path = typer.Option(..., "--out", help="directory for the NDJSON files and manifest"),
    since: str = typer.Option("", "--since", help="YYYY-MM-DD: records from this day on"),
    until: str = typer.Option("", "--until", help="YYYY-MM-DD: records up to this day"),
    user: str = typer.Option("", "--as", help="your username (default: your shell login)"),
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


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        bad_input("out", f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        bad_input("out", f"{out} exists and is not empty (use --force to write into it)")
    # checked before the export, which is audited: the directory is only made once it succeeds
    nearest = next(p for p in (out, *out.absolute().parents) if p.exists())
    if not nearest.is_dir() or not os.access(nearest, os.W_OK | os.X_OK):
        bad_input("out", f"cannot write into {nearest}")


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
