"""`mdma-at report NAME --from DATE --to DATE [--out FILE.pdf|.html] [--as USER]` (issue 17,
item 4): a report for regulators or an ethics committee, as the staff member who asks. Without
`--out` the HTML goes to stdout. Everything is checked before anything is written: an unknown
report, a bad date, a period that ends before it starts, an output that is neither .pdf nor
.html, a user without permission are exit 2 with one line, and no file appears.

`mdma-at report --study ID --out DIR [--pdf] [--as USER]` (issue 19, item 3): the trial report of
a study (its code, e.g. DEMO-MAPP, or its number) written to DIR/trial-report.html (and .pdf).
Only a user the study's blind admits may make it; `--study` with NAME, an unknown study, a DIR
that is not a directory and a blinded user are exit 2 with one line, nothing written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from mdma_at.entrypoints.cli.context import run_service, signed_in
from mdma_at.entrypoints.cli.output import bad_input

SUFFIXES = (".pdf", ".html")


def report_cmd(
    name: str | None = typer.Argument(
        None,
        help="authorised-prescriber, session-monitoring, expedited-safety or annual-progress "
        "(leave out with --study)",
    ),
    start: str | None = typer.Option(None, "--from", help="first day of the period (YYYY-MM-DD)"),
    end: str | None = typer.Option(None, "--to", help="last day of the period (YYYY-MM-DD)"),
    out: Path | None = typer.Option(
        None, "--out", help="write FILE.pdf or FILE.html; with --study, the directory DIR"
    ),
    user: str | None = typer.Option(
        None, "--as", help="your username (password: MDMA_AT_PASSWORD or a prompt)"
    ),
    study: str | None = typer.Option(
        None, "--study", help="the trial report of this study (its code or number)"
    ),
    with_pdf: bool = typer.Option(False, "--pdf", help="with --study: also DIR/trial-report.pdf"),
) -> None:
    """A report as a printable HTML page or a PDF, with its period and who generated it; with
    --study, a study's trial report."""
    if study is not None:
        if name is not None:
            bad_input("study", "give either a report NAME or --study, not both")
        _trial_report(study, out, with_pdf, user)
        return
    if name is None:
        bad_input("name", "give a report NAME (or --study ID for a trial report)")
    if with_pdf:
        bad_input("pdf", "--pdf goes with --study; for a report NAME use --out FILE.pdf")
    if start is None or end is None:
        bad_input("from" if start is None else "to", "a report NAME needs --from and --to")
    from mdma_at.domain.errors import InvalidInput
    from mdma_at.domain.reports import period
    from mdma_at.entrypoints.web.reports.documents import kind, render

    try:  # all that can be checked without the database, before asking for a password
        kind(name)
        first, last = _date(start, "from"), _date(end, "to")
        period(first, last)
    except InvalidInput as wrong:
        bad_input(wrong.field, wrong.reason)
    if out is not None and out.suffix.lower() not in SUFFIXES:
        bad_input("out", f"{out.name!r} must end in .pdf or .html")
    if out is not None and not out.parent.is_dir():
        bad_input("out", f"{out.parent} is not a directory")
    if not user:
        bad_input("as", "a report runs as the staff member who asks: give --as USER")
    ctx, principal = signed_in(user)
    html = run_service(lambda: render(ctx, principal, name, first, last))
    if out is None:
        typer.echo(html, nl=False)
    elif out.suffix.lower() == ".html":
        out.write_text(html, encoding="utf-8")
    else:
        from mdma_at.adapters.pdf import ChromiumPrinter, PdfFailed

        try:
            pdf = ChromiumPrinter(ctx.settings.chromium).print_pdf(html)
        except PdfFailed as failed:
            bad_input("out", f"the PDF could not be made: {failed}")
        out.write_bytes(pdf)


def _trial_report(study: str, out: Path | None, pdf: bool, user: str | None) -> None:
    """The trial report of `study` into the directory `out`, checked before anything is written."""
    from mdma_at.entrypoints.web.reports.trial import build_trial_report

    if out is None:
        bad_input("out", "a trial report is written to a directory: give --out DIR")
    if not out.is_dir():
        bad_input("out", f"{out} is not a directory")
    if not study.strip():
        bad_input("study", "give the study's code or number")
    if not user:
        bad_input("as", "a report runs as the staff member who asks: give --as USER")
    ctx, principal = signed_in(user)
    with ctx.uow() as uow:
        found = uow.studies.by_code(study.strip())
        if found is None and study.strip().isdigit():
            found = uow.studies.get(int(study.strip()))
    if found is None:
        bad_input("study", f"no study {study.strip()!r}")
    study_id = found.id
    from mdma_at.adapters.pdf import PdfFailed

    try:
        written = run_service(lambda: build_trial_report(ctx, principal, study_id, out, pdf=pdf))
    except PdfFailed as failed:
        bad_input("pdf", f"the PDF could not be made: {failed}")
    typer.echo(str(written))


def _date(value: str, field: str) -> date:
    from mdma_at.domain.errors import InvalidInput

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def register(app: typer.Typer) -> None:
    """Add the `report` command to the root command."""
    app.command("report")(report_cmd)
